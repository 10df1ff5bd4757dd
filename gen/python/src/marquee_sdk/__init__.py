"""Marquee's Python SDK: the generated gRPC stubs of every service live in
``marquee.<service>.v1`` (``*_pb2`` messages, ``*_pb2_grpc`` stubs); this
package adds :class:`Marquee`, a client factory with credentials and deadlines."""

from marquee_sdk.client import DEFAULT_TIMEOUT, Marquee

__all__ = ["DEFAULT_TIMEOUT", "Marquee"]
