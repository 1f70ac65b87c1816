"""Each vendor's status + error body maps to the right connector error, by table."""

from __future__ import annotations

import httpx
import pytest

from arbridge.connectors.erp import acumatica, business_central, quickbooks
from arbridge.connectors.erp._http import HttpFailure, Verdict
from arbridge.connectors.errors import (
    PermanentConnectorError,
    RecordRejectedError,
    TransientConnectorError,
)


def _bc(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"code": code, "message": "m  CorrelationId:  2c5d"}},
        headers=headers,
    )


def _qbo(status: int, code: str, kind: str) -> httpx.Response:
    body = {
        "Fault": {
            "Error": [{"Message": "m", "Detail": "d", "code": code, "element": ""}],
            "type": kind,
        },
        "time": "t",
    }
    return httpx.Response(status, json=body)


def _acu(status: int, message: str, kind: str = "PX.Data.PXException") -> httpx.Response:
    body = {
        "message": "An error has occurred.",
        "exceptionMessage": message,
        "exceptionType": kind,
        "stackTrace": "at",
    }
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("response", "verdict"),
    [
        (_bc(400, "Application_DialogException"), Verdict.REJECTED),
        (_bc(400, "Application_FieldValidationException"), Verdict.REJECTED),
        (_bc(400, "BadRequest_InvalidToken"), Verdict.REJECTED),
        (_bc(409, "Request_EntityChanged"), Verdict.TRANSIENT),
        (_bc(401, "Authentication_InvalidCredentials"), Verdict.PERMANENT),
        (_bc(403, "Authorization_PermissionDenied"), Verdict.PERMANENT),
        (_bc(404, "BadRequest_ResourceNotFound"), Verdict.REJECTED),
        (_bc(408, "Unknown"), Verdict.TRANSIENT),
        (_bc(429, "Unknown"), Verdict.TRANSIENT),
        (_bc(500, "Internal_ServerError"), Verdict.TRANSIENT),
        (_bc(503, "Unknown"), Verdict.TRANSIENT),
        (_bc(504, "Unknown"), Verdict.TRANSIENT),
    ],
)
def test_business_central_errors(response: httpx.Response, verdict: Verdict) -> None:
    assert business_central.map_error(response).verdict is verdict


@pytest.mark.parametrize(
    ("response", "verdict"),
    [
        (_qbo(400, "6140", "ValidationFault"), Verdict.REJECTED),
        (_qbo(400, "610", "ValidationFault"), Verdict.REJECTED),
        (_qbo(400, "5010", "ValidationFault"), Verdict.TRANSIENT),
        (_qbo(400, "6190", "ValidationFault"), Verdict.PERMANENT),
        (_qbo(401, "3200", "AUTHENTICATION"), Verdict.PERMANENT),
        (_qbo(403, "120", "AuthorizationFault"), Verdict.PERMANENT),
        (_qbo(429, "", "ThrottleFault"), Verdict.TRANSIENT),
        (_qbo(500, "10000", "SystemFault"), Verdict.TRANSIENT),
        (_qbo(503, "", "SystemFault"), Verdict.TRANSIENT),
    ],
)
def test_quickbooks_errors(response: httpx.Response, verdict: Verdict) -> None:
    assert quickbooks.map_error(response).verdict is verdict


def test_quickbooks_lower_case_401_body_is_read() -> None:
    body = {
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "code": "3200",
                }
            ],
            "type": "AUTHENTICATION",
        }
    }
    failure = quickbooks.map_error(httpx.Response(401, json=body))
    assert failure.verdict is Verdict.PERMANENT
    assert failure.code == "3200"


def test_quickbooks_429_names_no_wait_unless_told() -> None:
    """The client's throttle back-off decides (see test_quickbooks); a Retry-After is kept."""
    assert quickbooks.map_error(_qbo(429, "", "")).retry_after is None
    told = httpx.Response(429, headers={"Retry-After": "7"})
    assert quickbooks.map_error(told).retry_after == 7.0


@pytest.mark.parametrize(
    ("response", "verdict"),
    [
        (
            _acu(
                500,
                "No entity satisfies the condition.",
                "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
            ),
            Verdict.REJECTED,
        ),
        (_acu(500, "Error: Invalid credentials. Please try again."), Verdict.PERMANENT),
        (_acu(500, "Deadlock victim"), Verdict.TRANSIENT),
        (_acu(429, "API Login Limit"), Verdict.TRANSIENT),
        (_acu(500, "API Login Limit reached"), Verdict.TRANSIENT),
        (_acu(400, "Bad request"), Verdict.REJECTED),
        (_acu(412, "Precondition failed"), Verdict.REJECTED),
        (_acu(401, "You are not logged in."), Verdict.PERMANENT),
        (_acu(503, "Service unavailable"), Verdict.TRANSIENT),
    ],
)
def test_acumatica_errors(response: httpx.Response, verdict: Verdict) -> None:
    assert acumatica.map_error(response).verdict is verdict


def test_acumatica_422_names_the_failing_fields() -> None:
    body = {
        "CashAccount": {"value": "99999", "error": "'Cash Account' cannot be found in the system."},
        "DocumentsToApply": [{"ReferenceNbr": {"value": "AR1", "error": "Document is closed."}}],
    }
    failure = acumatica.map_error(httpx.Response(422, json=body))
    assert failure.verdict is Verdict.REJECTED
    assert "CashAccount: 'Cash Account' cannot be found" in failure.message
    assert "ReferenceNbr: Document is closed." in failure.message


@pytest.mark.parametrize(
    ("verdict", "error"),
    [
        (Verdict.TRANSIENT, TransientConnectorError),
        (Verdict.PERMANENT, PermanentConnectorError),
        (Verdict.REJECTED, RecordRejectedError),
    ],
)
def test_verdicts_become_the_connector_error_classes(
    verdict: Verdict, error: type[Exception]
) -> None:
    exc = HttpFailure(verdict, 400, "X_Code", "went wrong").to_error("bc")
    assert isinstance(exc, error)
    assert str(exc) == "bc: HTTP 400 X_Code: went wrong"
