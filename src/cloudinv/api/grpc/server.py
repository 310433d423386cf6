"""The gRPC adapter: the reference services, plus reflection (for `spacectl`) and health."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import message_factory
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from cloudinv.api.codec import message_to_dict
from cloudinv.api.contracts import ServiceContract, Verb
from cloudinv.domain.errors import ERROR_UNKNOWN, CloudinvError
from cloudinv.services.tokens import TokenService

log = logging.getLogger(__name__)


def _metadata(context: grpc.ServicerContext) -> dict[str, str]:
    return {item.key: item.value for item in context.invocation_metadata() or ()}


def _abort(context: grpc.ServicerContext, error: CloudinvError) -> None:
    context.abort(getattr(grpc.StatusCode, error.grpc_status), f"{error.code}: {error.message}")


def _unary_handler(verb: Verb, tokens: TokenService) -> Callable[[Any, grpc.ServicerContext], Any]:
    def handle(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            meta = _metadata(context)
            scope = tokens.scope(meta.get("token"), meta.get("x_domain_id"), meta.get("x_workspace_id"))
            return verb.to_message(verb.call(scope, message_to_dict(request)))
        except CloudinvError as error:
            _abort(context, error)
        except Exception as exc:
            log.exception("unexpected error in %s", verb.name)
            _abort(context, ERROR_UNKNOWN(message=type(exc).__name__))
        return None  # unreachable: abort raises

    return handle


def _stream_handler(verb: Verb, tokens: TokenService) -> Callable[[Any, grpc.ServicerContext], Iterator[Any]]:
    def handle(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            meta = _metadata(context)
            scope = tokens.scope(meta.get("token"), meta.get("x_domain_id"), meta.get("x_workspace_id"))
            for item in verb.call(scope, message_to_dict(request)):
                if not context.is_active():
                    return
                yield verb.to_message(item)
        except CloudinvError as error:
            _abort(context, error)
        except Exception as exc:
            log.exception("unexpected error in %s", verb.name)
            _abort(context, ERROR_UNKNOWN(message=type(exc).__name__))

    return handle


def _generic_handler(contract: ServiceContract, tokens: TokenService) -> grpc.GenericRpcHandler:
    handlers = {}
    for method in contract.descriptor.methods:
        verb = contract.verbs.get(method.name)
        if verb is None:  # internal methods (Secret.get_data) are not served: UNIMPLEMENTED
            continue
        response_cls = _message_class(method.output_type)
        make = grpc.unary_stream_rpc_method_handler if verb.streaming else grpc.unary_unary_rpc_method_handler
        handler = _stream_handler(verb, tokens) if verb.streaming else _unary_handler(verb, tokens)
        handlers[method.name] = make(
            handler,
            request_deserializer=verb.request_cls.FromString,
            response_serializer=response_cls.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(contract.descriptor.full_name, handlers)


def _message_class(message_descriptor: Any) -> Any:
    return message_factory.GetMessageClass(message_descriptor)


def create_server(
    contracts: Sequence[ServiceContract],
    tokens: TokenService,
    address: str,
    workers: int = 16,
    interceptors: Sequence[grpc.ServerInterceptor] = (),
    health_servicer: health.HealthServicer | None = None,
) -> tuple[grpc.Server, int]:
    """A started-ready server and the port it bound (address may end in `:0`). `health_servicer`: one whose
    statuses the caller keeps current (api/grpc/health.py); otherwise every service is always SERVING."""
    executor = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc")
    server = grpc.server(executor, interceptors=interceptors)
    for contract in contracts:
        server.add_generic_rpc_handlers((_generic_handler(contract, tokens),))
    health_servicer = health_servicer or health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [c.descriptor.full_name for c in contracts]
    for name in [*names, ""]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server
    )
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind gRPC to {address}")
    return server, port
