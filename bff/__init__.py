"""Backend-for-frontend of the support ticket system: server actions over Supabase."""

from bff.app import create_app
from bff.settings import Settings, SettingsError

__all__ = ["Settings", "SettingsError", "create_app"]
