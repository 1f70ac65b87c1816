"""Microsoft Dynamics 365 Business Central (API v2.0) as an ERP gateway."""

from arbridge.connectors.erp.business_central.gateway import BusinessCentralErpGateway, build
from arbridge.connectors.erp.business_central.wire import map_error

__all__ = ["BusinessCentralErpGateway", "build", "map_error"]
