"""An aiosmtpd handler for the tests: keeps what arrives as a Maildir and answers some recipients with errors.

Recipients starting with 'reject' get 550 (permanent), 'later' get 451 (temporary); everyone else is accepted.
"""
from aiosmtpd.handlers import Mailbox


class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split('@')[0].lower()
        if local.startswith('reject'):
            return '550 5.1.1 No such user here'
        if local.startswith('later'):
            return '451 4.3.0 Try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'
