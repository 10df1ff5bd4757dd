"""A Marquee client: one gRPC channel, the stubs of the six services, and the
caller's credentials and a default deadline put on every call."""

from __future__ import annotations

import collections
from typing import Callable, Optional, Sequence, Tuple, Union
from urllib.parse import urlsplit

import grpc

from marquee.account.v1 import account_service_pb2_grpc
from marquee.content.v1 import content_service_pb2_grpc
from marquee.feedback.v1 import feedback_service_pb2_grpc
from marquee.recommendation.v1 import recommendation_service_pb2_grpc
from marquee.streaming.v1 import streaming_service_pb2_grpc
from marquee.user.v1 import user_service_pb2_grpc

#: Deadline, in seconds, of every unary call that sets none (the gateway refuses longer ones).
DEFAULT_TIMEOUT = 30.0

AccessToken = Union[str, Callable[[], str], None]


class _CallDetails(
    collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    ),
    grpc.ClientCallDetails,
):
    pass


class _Credentials(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds the API key or access token and the default deadline to each call;
    a call's own authorization or x-api-key metadata and timeout win."""

    def __init__(self, api_key: Optional[str], access_token: AccessToken, timeout: Optional[float]):
        self._api_key = api_key
        self._access_token = access_token
        self._timeout = timeout

    def _details(self, details: grpc.ClientCallDetails, unary_response: bool) -> _CallDetails:
        metadata = list(details.metadata or ())
        present = {key.lower() for key, _ in metadata}
        if "authorization" not in present and "x-api-key" not in present:
            token = self._access_token() if callable(self._access_token) else self._access_token
            if token:
                metadata.append(("authorization", f"Bearer {token}"))
            elif self._api_key:
                metadata.append(("x-api-key", self._api_key))
        timeout = details.timeout
        if timeout is None and unary_response:
            timeout = self._timeout
        return _CallDetails(
            details.method,
            timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details, True), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details, False), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details, True), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details, False), request_iterator)


def _channel(target: str, credentials: Optional[grpc.ChannelCredentials], options) -> grpc.Channel:
    """A channel for "host:port", "http://host:port" (plaintext) or "https://host[:port]" (TLS)."""
    if "://" in target:
        url = urlsplit(target)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f'target must be "host:port", "http://host:port" or "https://host:port", not {target!r}')
        port = url.port or (443 if url.scheme == "https" else 80)
        host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
        address = f"{host}:{port}"
        if url.scheme == "https" and credentials is None:
            credentials = grpc.ssl_channel_credentials()
    else:
        address = target
    if credentials is not None:
        return grpc.secure_channel(address, credentials, options=options)
    return grpc.insecure_channel(address, options=options)


class Marquee:
    """Stubs of the six Marquee services over one gRPC channel.

    >>> marquee = Marquee("http://127.0.0.1:8080", api_key="marquee-local-partner-key")
    >>> marquee.content.GetGenres(content_service_pb2.GetGenresRequest())

    ``api_key`` is a partner key (sent as ``x-api-key``); ``access_token`` a
    member's access token, or a function returning the current one, called
    before every call (sent as ``authorization: Bearer``; it wins over the
    key). ``timeout`` (seconds) is the deadline of every unary call that sets
    none; ``None`` for no default. Server-streaming calls get no default
    deadline. Failed calls raise ``grpc.RpcError`` with ``.code()`` and
    ``.details()``.
    """

    def __init__(
        self,
        target: str,
        *,
        api_key: Optional[str] = None,
        access_token: AccessToken = None,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        credentials: Optional[grpc.ChannelCredentials] = None,
        options: Sequence[Tuple[str, object]] = (),
        _channel_override: Optional[grpc.Channel] = None,
    ):
        self._base = _channel_override or _channel(target, credentials, list(options))
        self._owns_channel = _channel_override is None
        self._target = target
        self._api_key = api_key
        self._timeout = timeout
        channel = grpc.intercept_channel(self._base, _Credentials(api_key, access_token, timeout))
        self.user = user_service_pb2_grpc.UserServiceStub(channel)
        self.content = content_service_pb2_grpc.ContentServiceStub(channel)
        self.streaming = streaming_service_pb2_grpc.StreamingServiceStub(channel)
        self.recommendation = recommendation_service_pb2_grpc.RecommendationServiceStub(channel)
        self.account = account_service_pb2_grpc.AccountServiceStub(channel)
        self.feedback = feedback_service_pb2_grpc.FeedbackServiceStub(channel)

    @property
    def channel(self) -> grpc.Channel:
        """The underlying channel, e.g. for grpc_health.v1 or grpc_reflection clients."""
        return self._base

    def with_access_token(self, access_token: AccessToken) -> "Marquee":
        """Clients acting as a member (e.g. with a profile's token), sharing this channel."""
        return Marquee(
            self._target,
            api_key=self._api_key,
            access_token=access_token,
            timeout=self._timeout,
            _channel_override=self._base,
        )

    def close(self) -> None:
        """Closes the channel (clients made by with_access_token share it)."""
        if self._owns_channel:
            self._base.close()

    def __enter__(self) -> "Marquee":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
