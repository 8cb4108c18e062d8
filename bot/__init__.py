"""WeCare transport layer: gateway, channels (Telegram, web widget) and the app database."""
