"""The reference for the end-to-end figures: a bare echo bot of the same framework, against the same Bot API
double, started the same way (TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL). It answers every text with the text
and every button press with a message, and does nothing else.

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_URL=http://127.0.0.1:PORT python benchmarks/echo_bot.py aiogram|ptb
"""

from __future__ import annotations

import asyncio
import os
import sys


async def aiogram_echo(token: str, api: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message

    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await bot.send_message(query.from_user.id, query.data or "?")

    await dp.start_polling(bot, polling_timeout=1, handle_signals=True)


def ptb_echo(token: str, api: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "?")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await context.bot.send_message(update.callback_query.from_user.id, update.callback_query.data or "?")

    app = (ApplicationBuilder().token(token).base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
           .concurrent_updates(True).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(poll_interval=0, timeout=1)


def main() -> None:
    framework = sys.argv[1] if len(sys.argv) > 1 else "aiogram"
    token, api = os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_URL"].rstrip("/")
    if framework == "ptb":
        ptb_echo(token, api)
    else:
        asyncio.run(aiogram_echo(token, api))


if __name__ == "__main__":
    main()
