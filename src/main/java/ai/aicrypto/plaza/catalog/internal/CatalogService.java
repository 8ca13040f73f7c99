package ai.aicrypto.plaza.catalog.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.BrowsePage;
import ai.aicrypto.plaza.catalog.BrowseQuery;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingCard;
import ai.aicrypto.plaza.catalog.ListingChanged;
import ai.aicrypto.plaza.catalog.ListingDocument;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.catalog.ListingHead;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.ListingStatus;
import ai.aicrypto.plaza.catalog.ListingView;
import ai.aicrypto.plaza.catalog.SearchFacts;
import ai.aicrypto.plaza.platform.MarkdownRenderer;
import ai.aicrypto.plaza.platform.NotFoundException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.domain.Limit;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class CatalogService implements Catalog {

    private final ListingRepository listings;
    private final ListingBrowser browser;
    private final Accounts accounts;
    private final MarkdownRenderer markdown;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final JdbcClient jdbc;

    CatalogService(ListingRepository listings, ListingBrowser browser, Accounts accounts, MarkdownRenderer markdown,
                   Clock clock, ApplicationEventPublisher events, JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.events = events;
        this.listings = listings;
        this.browser = browser;
        this.accounts = accounts;
        this.markdown = markdown;
        this.clock = clock;
    }

    @Override
    @Transactional
    public long create(ListingKind kind, long ownerId, ListingDraft draft, SearchFacts search) {
        long id = listings.save(newListing(kind, ownerId, draft, search)).getId();
        events.publishEvent(new ListingChanged(id));
        return id;
    }

    @Override
    @Transactional
    public long createPrivate(ListingKind kind, long ownerId, ListingDraft draft, SearchFacts search) {
        var listing = newListing(kind, ownerId, draft, search);
        listing.startPrivate(clock.instant());
        long id = listings.save(listing).getId();
        events.publishEvent(new ListingChanged(id));
        return id;
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<ListingDocument> document(long id) {
        return listings.findById(id).map(l -> toDocument(l, accounts.usernames(List.of(l.getOwnerId()))));
    }

    @Override
    @Transactional(readOnly = true)
    public void forEachDocument(Instant changedSince, int batchSize, Consumer<List<ListingDocument>> batch) {
        Instant since = changedSince == null ? Instant.EPOCH : changedSince;
        long after = 0;
        while (true) {
            List<Listing> page = listings.findByIdGreaterThanAndUpdatedAtGreaterThanEqualOrderById(after, since,
                    Limit.of(batchSize));
            if (page.isEmpty()) {
                return;
            }
            Map<Long, String> owners = accounts.usernames(page.stream().map(Listing::getOwnerId).toList());
            batch.accept(page.stream().map(l -> toDocument(l, owners)).toList());
            after = page.get(page.size() - 1).getId();
        }
    }

    @Override
    @Transactional(readOnly = true)
    public ListingView view(long id, ListingKind kind, AccountPrincipal viewer) {
        Listing listing = listings.findById(id).filter(l -> l.getKind() == kind).orElseThrow(NotFoundException::new);
        ListingView view = toView(listing);
        if (!view.published() && !view.manageableBy(viewer)) {
            throw new NotFoundException();
        }
        return view;
    }

    /** One statement outside a transaction (no BEGIN and COMMIT round trips): it runs on every predict call. */
    @Override
    public ListingHead head(long id, ListingKind kind, AccountPrincipal viewer) {
        ListingHead head = jdbc.sql("SELECT owner_id, status FROM listings WHERE id = ? AND kind = ?").params(id, kind.name())
                .query((rs, n) -> new ListingHead(id, rs.getLong(1), ListingStatus.valueOf(rs.getString(2)))).optional()
                .orElseThrow(NotFoundException::new);
        if (!head.visibleTo(viewer)) {
            throw new NotFoundException();
        }
        return head;
    }

    @Override
    @Transactional(readOnly = true)
    public List<ListingCard> latest(ListingKind kind, int limit) {
        return browser.browse(kind, new BrowseQuery(BrowseQuery.Sort.NEWEST, null, null, null, null, limit)).items();
    }

    @Override
    @Transactional(readOnly = true)
    public List<ListingCard> publishedBy(long ownerId, int limit) {
        String owner = accounts.usernames(List.of(ownerId)).getOrDefault(ownerId, "?");
        return listings.findByOwnerIdAndStatusOrderByCreatedAtDesc(ownerId, ListingStatus.PUBLISHED, Limit.of(limit)).stream()
                .map(l -> browser.card(l.getId(), l.getKind(), l.getTitle(), l.getDescription(), List.copyOf(l.getTags()),
                        l.getLicense(), l.getPriceAic(), owner, l.getStatus(), l.getCreatedAt()))
                .toList();
    }

    BrowsePage browse(ListingKind kind, BrowseQuery query) {
        return browser.browse(kind, query);
    }

    @Transactional(readOnly = true)
    List<ListingView> ownedBy(AccountPrincipal owner, int limit) {
        return listings.findByOwnerIdOrderByUpdatedAtDesc(owner.id(), Limit.of(limit)).stream().map(this::toView).toList();
    }

    /** The listing for its owner (or an admin) to change; 404 for anyone else, as for a missing one. */
    @Transactional(readOnly = true)
    ListingView forManagement(long id, AccountPrincipal viewer) {
        ListingView view = listings.findById(id).map(this::toView).orElseThrow(NotFoundException::new);
        if (!view.manageableBy(viewer)) {
            throw new NotFoundException();
        }
        return view;
    }

    @Transactional
    ListingView update(long id, ListingDraft draft, AccountPrincipal viewer) {
        Listing listing = managed(id, viewer);
        ListingDraft valid = draft.validated();
        listing.apply(valid, markdown.toPlainText(valid.description()), clock.instant());
        events.publishEvent(new ListingChanged(id));
        return toView(listing);
    }

    @Transactional
    ListingView changeStatus(long id, ListingStatus status, AccountPrincipal viewer) {
        Listing listing = managed(id, viewer);
        if (status == ListingStatus.PUBLISHED && listing.getOwnerId() != viewer.id()) {
            // An admin may take a listing down, but only its owner may put it back up.
            throw new AccessDeniedException("Only the owner may republish");
        }
        listing.changeStatus(status, clock.instant());
        events.publishEvent(new ListingChanged(id));
        return toView(listing);
    }

    @Override
    @Transactional
    public void transferOwnership(long listingId, long newOwnerId) {
        Listing listing = listings.findById(listingId).orElseThrow(NotFoundException::new);
        if (listing.getOwnerId() != newOwnerId) {
            listing.transferTo(newOwnerId, clock.instant());
            events.publishEvent(new ListingChanged(listingId));
        }
    }

    @Override
    @Transactional
    public void publishOnTerms(long listingId, String license, java.math.BigDecimal priceAic) {
        Listing listing = listings.findById(listingId).orElseThrow(NotFoundException::new);
        ListingDraft current = listing.draft();
        ListingDraft agreed = new ListingDraft(current.title(), current.description(), current.tags(), license, priceAic,
                current.royaltyBps()).validated();
        listing.apply(agreed, markdown.toPlainText(agreed.description()), clock.instant());
        listing.changeStatus(ListingStatus.PUBLISHED, clock.instant());
        events.publishEvent(new ListingChanged(listingId));
    }

    @Override
    @Transactional
    public void unpublishForChain(long listingId) {
        Listing listing = listings.findById(listingId).orElseThrow(NotFoundException::new);
        listing.changeStatus(ListingStatus.UNPUBLISHED, clock.instant());
        events.publishEvent(new ListingChanged(listingId));
    }

    private Listing newListing(ListingKind kind, long ownerId, ListingDraft draft, SearchFacts search) {
        ListingDraft valid = draft.validated();
        return new Listing(kind, ownerId, valid, markdown.toPlainText(valid.description()), search, clock.instant());
    }

    private Listing managed(long id, AccountPrincipal viewer) {
        Listing listing = listings.findById(id).orElseThrow(NotFoundException::new);
        if (viewer == null || (listing.getOwnerId() != viewer.id() && !viewer.isAdmin())) {
            throw new NotFoundException();
        }
        return listing;
    }

    private ListingDocument toDocument(Listing l, Map<Long, String> owners) {
        return new ListingDocument(l.getId(), l.getKind(), l.getTitle(), l.getDescriptionText(),
                List.copyOf(l.getTags()), l.getLicense(), l.getPriceAic(), l.getOwnerId(),
                owners.getOrDefault(l.getOwnerId(), "?"), l.getStatus(), l.getSearchTerms(), l.getTask(), l.getCreatedAt(),
                l.getUpdatedAt(), l.getRoyaltyBps());
    }

    private ListingView toView(Listing l) {
        String owner = accounts.usernames(List.of(l.getOwnerId())).getOrDefault(l.getOwnerId(), "?");
        return new ListingView(l.getId(), l.getKind(), l.getOwnerId(), owner, l.getTitle(), l.getDescription(),
                markdown.toHtml(l.getDescription()), List.copyOf(l.getTags()), l.getLicense(), l.getPriceAic(),
                l.getStatus(), l.getCreatedAt(), l.getUpdatedAt(), l.getRoyaltyBps(), l.isPublishedOnce());
    }
}
