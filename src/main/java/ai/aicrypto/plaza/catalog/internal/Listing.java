package ai.aicrypto.plaza.catalog.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.ListingStatus;
import ai.aicrypto.plaza.catalog.SearchFacts;
import ai.aicrypto.plaza.catalog.Task;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "listings")
class Listing {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Enumerated(EnumType.STRING)
    private ListingKind kind;

    private long ownerId;
    private String title;
    private String description;
    /** The description without its Markdown: what search matches snippets in. */
    private String descriptionText;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    private List<String> tags = new ArrayList<>();

    private String license;
    private BigDecimal priceAic;
    private int royaltyBps;
    /** Set at the first publication: the asset token may be minted from then on, with the royalty as it is. */
    private boolean publishedOnce;
    private String tagText = "";
    private String searchTerms = "";

    @Enumerated(EnumType.STRING)
    private Task task;

    @Enumerated(EnumType.STRING)
    private ListingStatus status;

    private Instant createdAt;
    private Instant updatedAt;

    protected Listing() {
    }

    Listing(ListingKind kind, long ownerId, ListingDraft draft, String descriptionText, SearchFacts search, Instant now) {
        this.kind = kind;
        this.searchTerms = search.terms();
        this.task = search.task();
        this.ownerId = ownerId;
        this.status = ListingStatus.PUBLISHED;
        this.publishedOnce = true;
        this.createdAt = now;
        this.royaltyBps = draft.royaltyBps();
        apply(draft, descriptionText, now);
    }

    final void apply(ListingDraft draft, String descriptionText, Instant now) {
        this.title = draft.title();
        this.description = draft.description();
        this.descriptionText = descriptionText;
        this.tags = new ArrayList<>(draft.tags());
        this.tagText = String.join(" ", draft.tags());
        this.license = draft.license();
        this.priceAic = draft.priceAic();
        if (!publishedOnce) {
            this.royaltyBps = draft.royaltyBps();
        }
        this.updatedAt = now;
    }

    /** A new listing that starts unpublished, so never published yet. */
    void startPrivate(Instant now) {
        this.status = ListingStatus.UNPUBLISHED;
        this.publishedOnce = false;
        this.updatedAt = now;
    }

    void changeStatus(ListingStatus status, Instant now) {
        this.status = status;
        this.publishedOnce |= status == ListingStatus.PUBLISHED;
        this.updatedAt = now;
    }

    void transferTo(long newOwnerId, Instant now) {
        this.ownerId = newOwnerId;
        this.updatedAt = now;
    }

    ListingDraft draft() {
        return new ListingDraft(title, description, List.copyOf(tags), license, priceAic, royaltyBps);
    }

    Long getId() {
        return id;
    }

    ListingKind getKind() {
        return kind;
    }

    long getOwnerId() {
        return ownerId;
    }

    String getTitle() {
        return title;
    }

    String getDescription() {
        return description;
    }

    String getDescriptionText() {
        return descriptionText;
    }

    List<String> getTags() {
        return tags;
    }

    String getLicense() {
        return license;
    }

    BigDecimal getPriceAic() {
        return priceAic;
    }

    int getRoyaltyBps() {
        return royaltyBps;
    }

    boolean isPublishedOnce() {
        return publishedOnce;
    }

    ListingStatus getStatus() {
        return status;
    }

    Instant getCreatedAt() {
        return createdAt;
    }

    String getSearchTerms() {
        return searchTerms;
    }

    Task getTask() {
        return task;
    }

    Instant getUpdatedAt() {
        return updatedAt;
    }
}
