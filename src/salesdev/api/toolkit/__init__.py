"""The TMF630 toolkit: a resource declares itself once and gets the REST conventions
(representation, fields, filters, sort, paging, ETag/If-Match, merge/JSON patch, events,
errors, OpenAPI) from here."""

from salesdev.api.toolkit.attributes import (
    Attr,
    Money,
    Reference,
    Scalar,
    ValidFor,
)
from salesdev.api.toolkit.errors import install_error_handlers
from salesdev.api.toolkit.operations import ResourceOperations
from salesdev.api.toolkit.resource import ApiSpec, Resource
from salesdev.api.toolkit.routes import install_resources

__all__ = [
    "ApiSpec",
    "Attr",
    "Money",
    "Reference",
    "Resource",
    "ResourceOperations",
    "Scalar",
    "ValidFor",
    "install_error_handlers",
    "install_resources",
]
