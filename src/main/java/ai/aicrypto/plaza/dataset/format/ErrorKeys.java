package ai.aicrypto.plaza.dataset.format;

/** Message keys of {@link DatasetFormatException}; each one has an entry in {@code i18n/dataset-format*.properties}. */
final class ErrorKeys {

    static final String UNSUPPORTED_TYPE = "dataset.error.unsupported-type";
    static final String EMPTY = "dataset.error.empty";
    static final String ENCODING = "dataset.error.encoding";
    static final String MALFORMED = "dataset.error.malformed";
    static final String RECORD_TOO_LARGE = "dataset.error.record-too-large";
    static final String RAGGED = "dataset.error.ragged";
    static final String HEADER_BLANK = "dataset.error.header-blank";
    static final String HEADER_DUPLICATE = "dataset.error.header-duplicate";
    static final String LABEL_REQUIRED = "dataset.error.label-required";
    static final String LABEL_MISSING = "dataset.error.label-missing";
    static final String NO_LABELS = "dataset.error.no-labels";
    static final String TOO_MANY_CLASSES = "dataset.error.too-many-classes";
    static final String NO_FEATURES = "dataset.error.no-features";
    static final String IDX_LABELS_REQUIRED = "dataset.error.idx-labels-required";
    static final String IDX_BAD_MAGIC = "dataset.error.idx-bad-magic";
    static final String IDX_UNSUPPORTED_TYPE = "dataset.error.idx-unsupported-type";
    static final String IDX_DIMS = "dataset.error.idx-dims";
    static final String IDX_IMAGE_TOO_LARGE = "dataset.error.idx-image-too-large";
    static final String IDX_TRUNCATED = "dataset.error.idx-truncated";
    static final String IDX_TRAILING_DATA = "dataset.error.idx-trailing-data";
    static final String IDX_COUNT_MISMATCH = "dataset.error.idx-count-mismatch";
    static final String DECOMPRESSED_TOO_LARGE = "dataset.error.decompressed-too-large";
    static final String TOO_MANY_COLUMNS = "dataset.error.too-many-columns";
    static final String TOO_MANY_ROWS = "dataset.error.too-many-rows";
    static final String SHARDS_TOO_LARGE = "dataset.error.shards-too-large";
    static final String CLASS_NAMES_COUNT = "dataset.error.class-names-count";
    static final String CLASS_NAMES_INVALID = "dataset.error.class-names-invalid";
    static final String CLASS_NAMES_CSV = "dataset.error.class-names-csv";
    static final String IMAGE_SIZE = "dataset.error.image-size";
    static final String IMAGE_COLOUR = "dataset.error.image-colour";
    static final String ZIP_BROKEN = "dataset.error.zip-broken";
    static final String ZIP_TOO_MANY_ENTRIES = "dataset.error.zip-too-many-entries";
    static final String ZIP_UNSAFE_NAME = "dataset.error.zip-unsafe-name";
    static final String ZIP_SYMLINK = "dataset.error.zip-symlink";
    static final String ZIP_NESTED_ARCHIVE = "dataset.error.zip-nested-archive";
    static final String ZIP_NOT_AN_IMAGE = "dataset.error.zip-not-an-image";
    static final String ZIP_ENTRY_UNREADABLE = "dataset.error.zip-entry-unreadable";
    static final String ZIP_NO_IMAGES = "dataset.error.zip-no-images";
    static final String ZIP_IMAGE_OUTSIDE_CLASS = "dataset.error.zip-image-outside-class";
    static final String ZIP_EMPTY_CLASS = "dataset.error.zip-empty-class";
    static final String ZIP_ONE_CLASS = "dataset.error.zip-one-class";
    static final String ZIP_TOO_MANY_CLASSES = "dataset.error.zip-too-many-classes";
    static final String ZIP_ENTRY_SIZE = "dataset.error.zip-entry-size";
    static final String ZIP_IMAGE_TOO_LARGE = "dataset.error.zip-image-too-large";
    static final String ZIP_BROKEN_IMAGE = "dataset.error.zip-broken-image";
    static final String ZIP_ID_IMAGE_IN_FOLDER = "dataset.error.zip-id-image-in-folder";
    static final String TEXT_COLUMN_MISSING = "dataset.error.text-column-missing";
    static final String TEXT_COLUMN_LABEL = "dataset.error.text-column-label";
    static final String TEXT_EMPTY = "dataset.error.text-empty";
    /** Raised by the upload service: an IDX upload names text columns. */
    static final String TEXT_COLUMNS_IDX = "dataset.error.text-columns-idx";
    static final String JSONL_MALFORMED = "dataset.error.jsonl-malformed";
    static final String JSONL_NOT_OBJECT = "dataset.error.jsonl-not-object";
    static final String JSONL_NESTED = "dataset.error.jsonl-nested";
    static final String JSONL_UNKNOWN_FIELD = "dataset.error.jsonl-unknown-field";

    private ErrorKeys() {
    }
}
