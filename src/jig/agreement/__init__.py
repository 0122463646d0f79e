"""The agreement: format-1 file models, loading with located errors, and the domain objects."""

from jig.agreement.load import agreement_document, load_agreement, parse_agreement
from jig.agreement.model import Agreement, Clause, ExceptionRule, Feature, Selector


def json_schema() -> dict[str, object]:
    """The JSON Schema of the agreement file, format 1 (what `jig schema` prints)."""
    from jig.agreement.fileformat import AgreementFile

    schema = AgreementFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://jig-monitor.org/schema/agreement-1.json"
    return schema


__all__ = [
    "Agreement",
    "Clause",
    "ExceptionRule",
    "Feature",
    "Selector",
    "agreement_document",
    "json_schema",
    "load_agreement",
    "parse_agreement",
]
