"""Bulk import and export of datasets as CSV, JSON (array or JSON Lines) or Parquet."""

from salesdev.domains.interchange.agreement_datasets import register_agreement_dataset
from salesdev.domains.interchange.authorisation_datasets import register_authorisation_dataset
from salesdev.domains.interchange.catalogue_datasets import (
    CatalogueExportResult,
    CatalogueImportResult,
    export_catalogue_csv,
    export_catalogue_json,
    import_catalogue_csv,
    import_catalogue_json,
)
from salesdev.domains.interchange.columns import Column, ColumnType
from salesdev.domains.interchange.datasets import (
    Dataset,
    Reference,
    get_dataset,
    list_datasets,
    register_dataset,
)
from salesdev.domains.interchange.exporting import ExportResult, export_file
from salesdev.domains.interchange.formats import FILE_FORMATS, FileFormat, resolve_format
from salesdev.domains.interchange.importing import (
    MAX_ERRORS,
    ImportResult,
    ProgressCallback,
    import_file,
)
from salesdev.domains.interchange.reference_datasets import register_reference_datasets

# Referred-to datasets first: `datasets` lists them in the order an installation loads them.
register_reference_datasets()
register_authorisation_dataset()
register_agreement_dataset()

__all__ = [
    "FILE_FORMATS",
    "MAX_ERRORS",
    "CatalogueExportResult",
    "CatalogueImportResult",
    "Column",
    "ColumnType",
    "Dataset",
    "ExportResult",
    "FileFormat",
    "ImportResult",
    "ProgressCallback",
    "Reference",
    "export_catalogue_csv",
    "export_catalogue_json",
    "export_file",
    "get_dataset",
    "import_catalogue_csv",
    "import_catalogue_json",
    "import_file",
    "list_datasets",
    "register_dataset",
    "resolve_format",
]
