package ai.aicrypto.plaza.catalog;

public enum ListingStatus {
    PUBLISHED, UNPUBLISHED
}
