"""Reads of one Business Central company through API v2.0: pages and the company's id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from arbridge.connectors.erp._http import HttpClient, jsonbody
from arbridge.connectors.errors import PermanentConnectorError


class CompanyReader:
    """GETs under one company: `@odata.nextLink` followed verbatim, the company id found once."""

    def __init__(self, *, name: str, api: HttpClient, company: str, page_size: int) -> None:
        self._name, self._api, self._company_name, self._page_size = name, api, company, page_size
        self._company_id: str | None = None

    def get(self, url: str, **params: str) -> dict[str, Any]:
        """One GET, its JSON body."""
        headers = {"Prefer": f"odata.maxpagesize={self._page_size}", "Accept": "application/json"}
        response = self._api.request("GET", url, params=params or None, headers=headers)
        body: dict[str, Any] = jsonbody.loads(response.content)
        return body

    def pages(self, url: str, **params: str) -> Iterator[dict[str, Any]]:
        """Every entity of a collection, following `@odata.nextLink` verbatim."""
        page = self.get(url, **params)
        while True:
            yield from page.get("value", [])
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return
            page = self.get(next_link)

    def company(self) -> str:
        """`companies(<id>)` of the configured company, looked up by name once.

        Raises:
            PermanentConnectorError: no company has that name.
        """
        if self._company_id is None:
            for company in self.pages("companies"):
                if self._company_name in (company.get("name"), company.get("displayName")):
                    self._company_id = str(company["id"])
                    break
            else:
                raise PermanentConnectorError(self._name, f"no company {self._company_name!r}")
        return f"companies({self._company_id})"
