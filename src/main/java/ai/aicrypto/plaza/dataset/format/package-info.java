/**
 * Dataset upload formats of AI PLAZA: validation, profiling and conversion to safetensors training shards.
 * Entry points: {@link ai.aicrypto.plaza.dataset.format.DatasetFormat#detect} and
 * {@link ai.aicrypto.plaza.dataset.format.DatasetProcessor}. All reading is streaming (two passes: profile, then
 * preprocess) and any input file may be gzip-compressed.
 *
 * <h2>Accepted input</h2>
 * <h3>CSV / TSV ({@code .csv}, {@code .tsv}, {@code .tab})</h3>
 * <ul>
 *   <li>UTF-8 (a leading BOM is ignored); RFC 4180 quoting; comma or tab delimiter; blank lines are ignored.</li>
 *   <li>The first row is the header: names must be non-blank and unique. Every row has as many values as the
 *       header. A single record may not exceed about 8 Mi characters.</li>
 *   <li>Values are stripped of surrounding whitespace. <b>Missing</b> values are the empty string and
 *       {@code NA}, {@code NaN}, {@code null} in any letter case.</li>
 *   <li>Column types: {@code INTEGER} if every non-missing value is an optionally signed run of at most 18 digits,
 *       {@code DECIMAL} if every one is a plain decimal number ({@code -1.5}, {@code .5}, {@code 2e-3}),
 *       {@code TEXT} for free text (below), otherwise {@code CATEGORICAL} (also for columns with only missing
 *       values).</li>
 *   <li><b>Text</b>: a column the uploader names as text ({@link ai.aicrypto.plaza.dataset.format.DatasetSource#textColumns()};
 *       it must exist, must not be the label, and must have a value in some row), or a non-numeric column whose values
 *       are mostly distinct (more than can be counted, or more than half the rows) and at least 3 words long on
 *       average. The label is never text.</li>
 *   <li>A label column must be named; unlabeled data is not accepted.</li>
 * </ul>
 *
 * <h3>JSON Lines ({@code .jsonl}, {@code .ndjson})</h3>
 * UTF-8, one JSON object per line, blank lines ignored; read into the same rows as a CSV (everything above applies):
 * the first object's fields, in its order, are the columns; a later object may leave a field out (a missing value) but
 * may not add one; strings are values as they are, numbers and booleans their JSON text, {@code null} missing; arrays
 * and objects are refused. A malformed line, a line that is not an object, a nested value or an unknown field is
 * refused with its line number; a line longer than about 8 Mi characters too.
 *
 * <h3>IDX (MNIST style: {@code *-idx3-ubyte[.gz]} images, {@code *-idx1-ubyte[.gz]} labels)</h3>
 * Header {@code 0x00 0x00 <type> <ndims>} and big-endian int32 dimensions. Only type {@code 0x08} (unsigned
 * byte) is supported. Images have 3 dimensions (count, rows, cols, at most 2<sup>20</sup> pixels per image),
 * labels 1 dimension with the same count; files must be neither truncated nor longer than their header says.
 * The profile reports the pseudo-columns {@code pixels} and {@code label}.
 *
 * <h3>Image folders (a ZIP of one folder of PNG/JPEG images per class)</h3>
 * The class folders are the top-level folders, or those of one folder wrapping them all; the sorted folder names are
 * the classes. Images of any size are brought to the chosen square size and to grey or RGB
 * ({@link ai.aicrypto.plaza.dataset.format.ImageFolderOptions}) by
 * {@link ai.aicrypto.plaza.dataset.format.Preprocessing#encode(java.awt.image.BufferedImage)}. What is refused, and
 * when (mostly from the central directory, before anything is inflated), is listed in
 * {@link ai.aicrypto.plaza.dataset.format.ImageFolderArchive}. The profile reports the pseudo-columns {@code pixels}
 * (levels 0-255 after resizing) and {@code label} (the class names), and {@code image_shape} is {@code [size, size]}
 * for grey and {@code [3, size, size]} for RGB.
 *
 * <h2>Profile</h2>
 * Per column: type, missing count, min/max/mean of numeric columns, and for categorical columns (and class
 * labels) a histogram of the 50 most frequent values. To bound memory, distinct values are counted up to
 * 10,000 per categorical column (and up to 100 while a column still looks numeric); a categorical column with
 * more distinct values, or with a value longer than 256 characters, is <b>high-cardinality</b>: it gets no
 * histogram and is not used as a feature. The preview is a uniform random sample (reservoir sampling seeded by
 * the caller) of at most {@code previewSize} rows, in row order.
 *
 * <h2>Task</h2>
 * A categorical label is a <b>classification</b> target (at most 1,000 classes). A numeric label with at most
 * 100 distinct values is also a classification target; with more it is a <b>regression</b> target and
 * {@code classes} is empty. Classes are sorted (numerically for numeric labels). Rows with a missing label are
 * counted in the profile but left out of the shards.
 *
 * <h2>Output: safetensors shards</h2>
 * Files {@code shard-00000.safetensors}, {@code shard-00001.safetensors}, ..., each at most {@code maxShardBytes}
 * (but at least one row), following the <a href="https://huggingface.co/docs/safetensors">safetensors</a>
 * layout: an 8-byte little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes, then
 * little-endian tensor data:
 * <ul>
 *   <li>{@code features}: F32 {@code [rows, featureCount]}, encoded as
 *       {@link ai.aicrypto.plaza.dataset.format.Preprocessing} (stored in the profile and copied into trained
 *       models' cards) describes. CSV/TSV: numeric columns standardised with a missing-value indicator,
 *       categorical columns one-hot (at most 20 values) or hashed into 32 buckets, identifier-like and row-number
 *       columns left out. IDX: pixel / 255 in row-major order. Image folders: the same, one plane per channel
 *       ([channels, height, width]).
 *       <br><b>Text columns</b> come last, each a block of {@code slots} features (the most n-grams a value of the
 *       column has, at most 512): the record's distinct hashed n-gram ids in order (words, word pairs, then the
 *       character 3- to 5-grams of each word framed by {@code <} and {@code >}; 32-bit FNV-1a of {@code w:word},
 *       {@code b:word1 word2}, {@code c:gram}, unsigned, modulo {@code buckets} = 65,536), each stored as
 *       {@code id + 1} in F32 (exact below 2<sup>24</sup>), then 0 in the unused slots: the padding, so a record's
 *       length is its count of non-zero slots. Feature names {@code column@0}, {@code column@1}, ...; the
 *       preprocessing records {@code buckets}, {@code slots}, {@code wordNgrams}, {@code charMin} and {@code charMax},
 *       and a trained model hashes raw text at inference with exactly these.</li>
 *   <li>classification: {@code labels}: I64 {@code [rows]}, the index of the label in {@code classes};
 *       regression: {@code targets}: F32 {@code [rows]}, the label value.</li>
 *   <li>{@code __metadata__} (all strings): {@code format} = {@code aiplaza-dataset-v1}, {@code source_format},
 *       {@code task} ({@code classification} / {@code regression}), {@code label_column}, {@code classes} (JSON
 *       array) and {@code feature_names} (JSON array, CSV/TSV) or {@code image_shape} (JSON array, IDX).</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Invalid input raises {@link ai.aicrypto.plaza.dataset.format.DatasetFormatException} with a key from
 * {@code i18n/dataset-format.properties} (English) and {@code i18n/dataset-format_ko.properties} (Korean).
 */
@org.springframework.modulith.NamedInterface("format")
package ai.aicrypto.plaza.dataset.format;
