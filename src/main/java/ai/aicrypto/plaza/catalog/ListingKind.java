package ai.aicrypto.plaza.catalog;

/** What a listing offers; its lower-case plural is the URL segment of its pages. */
public enum ListingKind {
    DATASET("datasets"), MODEL("models");

    private final String path;

    ListingKind(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}
