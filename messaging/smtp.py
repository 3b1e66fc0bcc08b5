"""Django's SMTP backend with the wait for the reply to the end of DATA that RFC 5321
(4.5.3.2.6) gives a client: 10 minutes, separate from the short connect and command
timeouts (``EMAIL_TIMEOUT``).

A server may take long to accept a message it already holds (content scanning, a busy
queue). Giving up on it after ``EMAIL_TIMEOUT`` and sending again delivered the same
message over and over. When the reply never comes, the message may have arrived:
``NoReplyToData`` says so, and the sender does not treat it as a plain failure.
"""

import smtplib

from django.conf import settings
from django.core.mail.backends import smtp


class NoReplyToData(smtplib.SMTPException):
    """The server took the whole message but never confirmed it: it may have arrived."""


class _WaitsForDataReply:
    _in_data = _content_sent = False

    def send(self, s) -> None:
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self._content_sent = True
            self.sock.settimeout(settings.EMAIL_DATA_TIMEOUT)

    def data(self, msg):
        self._in_data, self._content_sent = True, False
        try:
            return super().data(msg)
        except smtplib.SMTPResponseException:
            raise  # the server answered: the message did not arrive
        except Exception as error:
            # smtplib reports a timeout or a dropped connection while waiting for the
            # reply as a disconnection; the send task's soft time limit may also end the
            # wait. Either way, the server may have the message.
            if self._content_sent:
                raise NoReplyToData(f"{type(error).__name__}: {error}") from error
            raise
        finally:
            self._in_data = False
            if self.sock is not None:
                self.sock.settimeout(self.timeout)


class _SMTP(_WaitsForDataReply, smtplib.SMTP):
    pass


class _SMTP_SSL(_WaitsForDataReply, smtplib.SMTP_SSL):  # noqa: N801 - as smtplib names it
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP
