"""Sending mail over SMTP (STARTTLS, optional login); the password is read when sending."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid

from arbridge.config.ar import SmtpSettings


class SmtpMailer:
    """Sends plain-text messages through the configured server."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def send(
        self,
        to: Sequence[str],
        subject: str,
        body: str,
        attachments: Sequence[tuple[str, bytes]] = (),
    ) -> str:
        """Send one message (PDF attachments by file name); returns its Message-ID.

        Raises OSError or smtplib.SMTPException when the server cannot be reached or refuses.
        """
        s = self._settings
        message = EmailMessage()
        message["From"] = s.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain=s.sender.rpartition("@")[2])
        message.set_content(body)
        for filename, data in attachments:
            message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                password = s.password.resolve() if s.password is not None else ""
                smtp.login(s.username, password)
            smtp.send_message(message)
        return str(message["Message-ID"])
