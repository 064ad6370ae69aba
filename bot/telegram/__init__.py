"""Telegram adapters (aiogram, python-telegram-bot) over the one dialog engine, plus the shared sender,
outbox delivery and deadline loops. Only `aiogram_adapter` and `ptb_adapter` use a Telegram library
(`aiogram_import` imports aiogram for the runner, its types built on first use)."""
