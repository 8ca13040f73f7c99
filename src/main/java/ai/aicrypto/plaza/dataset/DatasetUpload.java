package ai.aicrypto.plaza.dataset;

import java.nio.file.Path;

import ai.aicrypto.plaza.catalog.ListingDraft;

/**
 * A dataset to import: its listing and its files, already on local disk.
 *
 * @param file        the data file (CSV/TSV), or the images file of an IDX pair
 * @param labelsFile  the labels file of an IDX pair, else null
 * @param labelColumn the label column of a CSV/TSV file, else null
 */
public record DatasetUpload(ListingDraft listing, Path file, String fileName, Path labelsFile, String labelsFileName,
                            String labelColumn) {
}
