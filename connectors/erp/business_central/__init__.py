"""Microsoft Dynamics 365 Business Central (API v2.0) as an ERP gateway."""

from arbridge.connectors.erp.business_central.factory import build
from arbridge.connectors.erp.business_central.gateway import BusinessCentralErpGateway
from arbridge.connectors.erp.business_central.reversal import CorrectionSettings
from arbridge.connectors.erp.business_central.wire import map_error
from arbridge.connectors.erp.business_central.writeoff import WriteOffPlan, WriteOffTarget

__all__ = [
    "BusinessCentralErpGateway",
    "CorrectionSettings",
    "WriteOffPlan",
    "WriteOffTarget",
    "build",
    "map_error",
]
