"""cleaner: clean and normalize Chinese web and news documents.

    from cleaner import clean_text, Pipeline
    clean_text("企業(yè)復工")              # default configuration
    pipe = Pipeline({"script": {"target": "keep"}})
    pipe.clean({"id": "1", "text": "..."})  # record -> record
    pipe.clean_batch(records)               # records -> records, a pass at a time (faster)
    for record in pipe.run(records): ...    # streaming, in batches
"""

from cleaner.config import Config, load_config
from cleaner.document import Document
from cleaner.errors import CleanerError, ConfigError, InputError
from cleaner.pipeline import Pipeline, clean_text

__all__ = [
           "CleanerError",
           "Config",
           "ConfigError",
           "Document",
           "InputError",
           "Pipeline",
           "clean_text",
           "load_config",
]
__version__ = "0.1.0"
