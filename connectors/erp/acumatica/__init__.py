"""Acumatica contract-based REST (Default endpoint, version pinned) as an ERP gateway."""

from arbridge.connectors.erp.acumatica.gateway import AcumaticaErpGateway, build
from arbridge.connectors.erp.acumatica.session import CookieSession
from arbridge.connectors.erp.acumatica.wire import map_error

__all__ = ["AcumaticaErpGateway", "CookieSession", "build", "map_error"]
