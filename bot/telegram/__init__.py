"""Telegram adapters (aiogram, python-telegram-bot) over the one dialog engine, plus the shared sender,
outbox delivery and deadline loops. Only `aiogram_adapter` and `ptb_adapter` import a Telegram library."""
