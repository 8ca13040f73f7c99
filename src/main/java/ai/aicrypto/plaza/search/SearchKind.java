package ai.aicrypto.plaza.search;

import ai.aicrypto.plaza.catalog.ListingKind;

/** What a search hit is; listings keep their catalog kind's name. */
public enum SearchKind {
    DATASET, MODEL, GPU_OFFER, COMPETITION;

    public static SearchKind of(ListingKind kind) {
        return valueOf(kind.name());
    }

    public boolean listing() {
        return this == DATASET || this == MODEL;
    }

    /** The page of the thing found: a listing's or competition's own page, an offer's row on /gpus. */
    public String url(long id, String slug) {
        return switch (this) {
            case DATASET, MODEL -> "/" + ListingKind.valueOf(name()).path() + "/" + id;
            case GPU_OFFER -> "/gpus#offer-" + id;
            case COMPETITION -> "/competitions/" + slug;
        };
    }
}
