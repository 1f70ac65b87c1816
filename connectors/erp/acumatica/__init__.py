"""Acumatica contract-based REST (Default endpoint, version pinned) as an ERP gateway."""

from connectors.erp.acumatica.gateway import AcumaticaErpGateway, build
from connectors.erp.acumatica.session import CookieSession
from connectors.erp.acumatica.wire import map_error

__all__ = ["AcumaticaErpGateway", "CookieSession", "build", "map_error"]
