"""Domain errors. The class name is the wire error code; adapters map `grpc_status`/`http_status` once."""

from __future__ import annotations

from typing import Any, ClassVar


class CloudinvError(Exception):
    """Base of every error a caller may see. `code` is the class name, as in the reference."""

    grpc_status: ClassVar[str] = "INTERNAL"
    http_status: ClassVar[int] = 500
    template: ClassVar[str] = "{message}"

    def __init__(self, **params: Any) -> None:
        self.params = params
        try:
            self.message = self.template.format(**params)
        except KeyError:
            self.message = self.template
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return type(self).__name__


class InvalidArgumentError(CloudinvError):
    grpc_status = "INVALID_ARGUMENT"
    http_status = 400


class ERROR_REQUIRED_PARAMETER(InvalidArgumentError):
    template = "Required parameter. (key = {key})"


class ERROR_INVALID_PARAMETER(InvalidArgumentError):
    template = "Parameter is invalid. (key = {key}, reason = {reason})"


class ERROR_INVALID_PARAMETER_TYPE(InvalidArgumentError):
    template = "Parameter type is invalid. (key = {key}, type = {type})"


class ERROR_OPERATOR_LIST_VALUE_TYPE(InvalidArgumentError):
    template = "The value of '{operator} operator' must be a list type. ({condition})"


class ERROR_OPERATOR_VALUE_TYPE(InvalidArgumentError):
    template = "The value of '{operator} operator' must be a {expected} type. ({condition})"


class ERROR_DB_QUERY_OPERATOR(InvalidArgumentError):
    template = "Query filter operator is not supported. (operator = {operator}, condition = {condition})"


class ERROR_INVALID_ARGUMENT(InvalidArgumentError):
    template = "Argument is invalid. ({reason})"


class ERROR_LIMIT_EXCEEDED(InvalidArgumentError):
    template = "Request exceeds a limit. (limit = {limit}, max = {max})"


class ERROR_NOT_FOUND(CloudinvError):
    grpc_status = "NOT_FOUND"
    http_status = 404
    template = "Resource cannot be found or access is denied. ({key} = {value})"


class ERROR_AUTHENTICATE_FAILURE(CloudinvError):
    grpc_status = "UNAUTHENTICATED"
    http_status = 401
    template = "Authenticate failure. (message = {message})"


class ERROR_PERMISSION_DENIED(CloudinvError):
    grpc_status = "PERMISSION_DENIED"
    http_status = 403
    template = "Permission denied."


class ERROR_UNAVAILABLE(CloudinvError):
    grpc_status = "UNAVAILABLE"
    http_status = 503
    template = "Service is unavailable. ({reason})"


class ERROR_UNKNOWN(CloudinvError):
    template = "Unknown error. ({message})"


class ERROR_PLUGIN_NOT_FOUND(InvalidArgumentError):
    template = "Plugin is not registered. (plugin_id = {plugin_id})"


class ERROR_COLLECTOR_PLUGIN(InvalidArgumentError):
    template = "The plugin refused the request. ({message})"


class ERROR_PLUGIN_UNREACHABLE(CloudinvError):
    grpc_status = "UNAVAILABLE"
    http_status = 503
    template = "The plugin cannot be reached. ({message})"
