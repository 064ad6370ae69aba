"""Cases: filing, routing to grids and workers, the 受理→派单→接单→办结→评价 lifecycle, duplicates, statistics."""
