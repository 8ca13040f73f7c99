package ai.aicrypto.plaza.model.internal;

import java.security.NoSuchAlgorithmException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.License;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.catalog.ListingHead;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.ListingStatus;
import ai.aicrypto.plaza.catalog.SearchFacts;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.catalog.ListingView;
import ai.aicrypto.plaza.model.ModelTemplate;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.SafetensorsInspector;
import ai.aicrypto.plaza.model.inference.BoostedTrees;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.NotifiedCache;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

@Service
class ModelService implements Models {

    private static final String WEIGHTS_CONTEXT = "model:weights";
    private static final int MAX_TEMPLATES_LISTED = 200;
    private static final int MAX_TEMPLATE_CANDIDATES = 1000;

    private final ModelCardValidator validator = new ModelCardValidator();
    private final Catalog catalog;
    private final ListingAccess access;
    private final JdbcClient jdbc;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final PendingBlobs pendingBlobs;
    private final TransactionTemplate transaction;
    /** Every call of a model reads its row: kept until it changes ({@code models.cache}, db/migration V75). */
    private final NotifiedCache<Long, ModelRow> rows;

    /**
     * Every member may call a free public model without a license, and such calls are not counted against a free
     * quota: only calls that were charged to the caller's credit, or made by a licensee (or the owner), are kept.
     */
    @Override
    public List<LicenseeCalls> licenseeCallsBetween(java.time.Instant from, java.time.Instant to) {
        record Row(LicenseeCalls calls, boolean charged) {
        }
        return jdbc.sql("""
                        SELECT c.model_id, l.owner_id, c.caller_id, c.payer_wallet, count(*), max(c.created_at),
                               bool_or(c.charged_wei > 0)
                        FROM model_calls c JOIN listings l ON l.id = c.model_id
                        WHERE NOT c.free_quota AND c.created_at >= ? AND c.created_at < ?
                        GROUP BY c.model_id, l.owner_id, c.caller_id, c.payer_wallet
                        ORDER BY c.model_id, c.caller_id, c.payer_wallet""")
                .params(java.sql.Timestamp.from(from), java.sql.Timestamp.from(to))
                .query((rs, n) -> new Row(new LicenseeCalls(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                        rs.getLong(5), rs.getTimestamp(6).toInstant()), rs.getBoolean(7)))
                .list().stream()
                .filter(r -> r.charged() || access.mayUse(r.calls().callerId(), r.calls().modelId()))
                .map(Row::calls)
                .toList();
    }

    ModelService(Catalog catalog, ListingAccess access, JdbcClient jdbc, BlobStore blobs, DataKeys dataKeys,
                 PendingBlobs pendingBlobs, TransactionTemplate transaction, LiveUpdates live) {
        this.catalog = catalog;
        this.access = access;
        this.jdbc = jdbc;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.pendingBlobs = pendingBlobs;
        this.transaction = transaction;
        this.rows = new NotifiedCache<>(live, "models.cache", Long::valueOf, Duration.ofMinutes(1), 10_000);
    }

    @Override
    public long publish(long ownerId, ModelUpload upload) {
        return store(ownerId, upload, true, false);
    }

    @Override
    public long createPrivate(long ownerId, ModelUpload upload) {
        return store(ownerId, upload, false, false);
    }

    @Override
    public long createWithheld(long ownerId, ModelUpload upload) {
        return store(ownerId, upload, false, true);
    }

    @Override
    public void release(long modelId) {
        rows.dropOnCommit(modelId);
        jdbc.sql("UPDATE models SET withheld = false WHERE listing_id = ? AND withheld").param(modelId).update();
    }

    @Override
    public void withhold(long modelId) {
        rows.dropOnCommit(modelId);
        jdbc.sql("UPDATE models SET withheld = true WHERE listing_id = ? AND NOT withheld").param(modelId).update();
    }

    @Override
    @Transactional
    public void discardWeights(long modelId) {
        String key = jdbc.sql("SELECT weights_key FROM models WHERE listing_id = ? FOR UPDATE").param(modelId)
                .query(String.class).optional().orElse(null);
        if (key == null) {
            return;
        }
        jdbc.sql("UPDATE models SET weights_key = NULL, weights_bytes = NULL, wrapped_data_key = NULL WHERE listing_id = ?")
                .param(modelId).update();
        rows.dropOnCommit(modelId);
        // The blob goes once the row no longer names it: a rollback must not leave a model pointing at nothing.
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                blobs.delete(key);
            }
        });
    }

    @Override
    public String cardJson(long modelId) {
        return find(modelId).orElseThrow(NotFoundException::new).cardJson();
    }

    private long store(long ownerId, ModelUpload upload, boolean published, boolean withheld) {
        ModelCard card = validator.parse(upload.cardJson());
        String license = License.fromSpdx(card.license()).map(License::spdx)
                .orElseThrow(() -> new UserFacingException("card", "model.error.license-unsupported", card.license()));
        ListingDraft listing = new ListingDraft(card.name(), card.description().orElse(""), upload.tags(), license,
                card.priceAic(), upload.royaltyBps()).validated();
        if (upload.weightsFile() != null && card.isTrees()) {
            BoostedTrees.read(upload.weightsFile(), BoostedTrees.Limits.widestOf(card)).requireFits(card);
        } else if (upload.weightsFile() != null) {
            SafetensorsInspector.inspect(upload.weightsFile());
        }
        BlobStore.StoredBlob weights = null;
        DataKeys.DataKey key = null;
        try {
            if (upload.weightsFile() != null) {
                key = dataKeys.generate();
                try (InputStream in = Files.newInputStream(upload.weightsFile())) {
                    weights = pendingBlobs.encrypt(key, in, WEIGHTS_CONTEXT);
                }
            }
            BlobStore.StoredBlob storedWeights = weights;
            byte[] wrappedKey = key == null ? null : key.wrapped();
            return transaction.execute(status -> {
                SearchFacts search = new SearchFacts(searchTerms(card), Task.of(card.task()));
                long id = published ? catalog.create(ListingKind.MODEL, ownerId, listing, search)
                        : catalog.createPrivate(ListingKind.MODEL, ownerId, listing, search);
                jdbc.sql("""
                        INSERT INTO models (listing_id, spec_version, task, card, weights_key, weights_bytes, wrapped_data_key,
                                            withheld, parent_model_id)
                        VALUES (?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?)""")
                        .params(id, card.specVersion(), card.task(), card.json().toString(),
                                storedWeights == null ? null : storedWeights.key(),
                                storedWeights == null ? null : storedWeights.bytes(), wrappedKey, withheld, upload.parentModelId())
                        .update();
                if (storedWeights != null) {
                    pendingBlobs.kept(storedWeights.key());
                }
                return id;
            });
        } catch (IOException e) {
            deleteQuietly(weights);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            deleteQuietly(weights);
            throw e;
        }
    }

    /** Task, architecture, engine, input kind and classes, so that a search for "mlp" or "sneaker" finds the model. */
    private static String searchTerms(ModelCard card) {
        var terms = new StringBuilder(card.task()).append(' ').append(card.architectureTemplate()).append(' ')
                .append(card.engine()).append(' ').append(card.inputKind());
        (card.isClassification() ? card.classes() : card.targets()).forEach(c -> terms.append(' ').append(c));
        return terms.toString();
    }

    ModelPage page(long id, AccountPrincipal viewer) {
        ListingView listing = catalog.view(id, ListingKind.MODEL, viewer);
        StoredModel model = find(id).orElseThrow(NotFoundException::new);
        return new ModelPage(listing, validator.parse(model.cardJson()), model, mayUse(listing.ownedBy(viewer), viewer, id));
    }

    /** A model related to another by fine-tuning. */
    record Relative(long id, String title) {
    }

    /**
     * The model this one was fine-tuned from ({@code children} false: at most one) or the models fine-tuned from it, as
     * {@code viewer} may see them: published ones, and their own.
     */
    List<Relative> fineTuning(long id, AccountPrincipal viewer, boolean children) {
        return jdbc.sql("""
                        SELECT l.id, l.title FROM models m JOIN listings l ON l.id = m.listing_id
                        WHERE %s AND (l.status = 'PUBLISHED' OR l.owner_id = :viewer)
                        ORDER BY l.created_at, l.id LIMIT 50""".formatted(children ? "m.parent_model_id = :id"
                        : "l.id = (SELECT parent_model_id FROM models WHERE listing_id = :id)"))
                .param("id", id).param("viewer", viewer == null ? -1L : viewer.id())
                .query((rs, n) -> new Relative(rs.getLong(1), rs.getString(2))).list();
    }

    /**
     * The model as {@code viewer} may see it, its card not parsed (checked at publication). Every prediction asks, so
     * the listing's head and the model's row come in one statement (as {@link Catalog#head} would read the head).
     */
    Seen seen(long id, AccountPrincipal viewer) {
        ModelRow row = rows.get(id, this::row).filter(r -> r.listing().visibleTo(viewer)).orElseThrow(NotFoundException::new);
        return new Seen(row.listing(), row.model(), mayUse(row.listing().ownedBy(viewer), viewer, id));
    }

    private record ModelRow(ListingHead listing, StoredModel model) {
    }

    private Optional<ModelRow> row(long id) {
        return jdbc.sql("""
                        SELECT l.owner_id, l.status, m.card::text AS card, m.weights_key, m.weights_bytes, m.wrapped_data_key,
                               m.withheld, m.api_visibility, m.api_price_per_1000_aic
                        FROM listings l JOIN models m ON m.listing_id = l.id WHERE l.id = ? AND l.kind = 'MODEL'""")
                .param(id)
                .query((rs, n) -> new ModelRow(new ListingHead(id, rs.getLong("owner_id"), ListingStatus.valueOf(rs.getString("status"))),
                        storedModel(rs, n)))
                .optional();
    }

    private boolean mayUse(boolean owner, AccountPrincipal viewer, long id) {
        return owner || viewer != null && access.mayUse(viewer.id(), id);
    }

    record Seen(ListingHead listing, StoredModel model, boolean mayUse) {
    }

    /**
     * Decrypted weights, for the owner and licensees, and not while they are withheld until the
     * training job's provider is paid on-chain (for nobody, the owner included).
     */
    WeightsFile openWeights(long id, AccountPrincipal viewer) throws IOException {
        ModelPage page = page(id, viewer);
        if (!page.mayUse() || page.model().weightsKey() == null) {
            throw new NotFoundException();
        }
        if (page.model().withheld()) {
            throw new UserFacingException(null, "model.error.withheld");
        }
        String extension = page.card().isTrees() ? ".xgboost.json" : ".safetensors";
        return new WeightsFile("model-" + id + extension, decryptWeights(id, page.model()));
    }

    /** A weights file to download: its name says its type ({@link ModelCard#weightsFormat()}). */
    record WeightsFile(String name, InputStream content) {
    }

    /** The stored weights, decrypted as they are read; the caller has checked who may have them. */
    InputStream decryptWeights(long id, StoredModel model) throws IOException {
        try {
            return dataKeys.unwrap(model.wrappedDataKey()).decryptFrom(blobs, model.weightsKey(), WEIGHTS_CONTEXT);
        } catch (GeneralSecurityException e) {
            throw new IOException("Data key of model " + id + " cannot be unwrapped", e);
        }
    }

    /** The card as a file, for whoever may train with it ({@link ModelPage#cardOpen}). */
    String cardFile(long id, AccountPrincipal viewer) {
        ModelPage page = page(id, viewer);
        if (!page.cardOpen()) {
            throw new NotFoundException();
        }
        return page.model().cardJson();
    }

    @Override
    public Optional<byte[]> contentHash(long listingId) {
        return find(listingId).map(m -> m.weightsKey() != null
                ? HexFormat.of().parseHex(m.weightsKey())
                : sha256(m.cardJson().getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<ModelTemplate> templatesFor(long userId) {
        return templateCandidates(userId, null).stream().filter(c -> mayTrain(userId, c))
                .limit(MAX_TEMPLATES_LISTED).map(this::template).toList();
    }

    @Override
    public Optional<ModelTemplate> templateFor(long userId, long modelId) {
        return templateCandidates(userId, modelId).stream().filter(c -> mayTrain(userId, c)).findFirst().map(this::template);
    }

    @Override
    public boolean licenseNeeded(long userId, long modelId) {
        return templateCandidates(userId, modelId).stream().anyMatch(c -> !mayTrain(userId, c));
    }

    @Override
    public Optional<ModelTemplate> fineTunableBy(long userId, long modelId) {
        return templateCandidates(userId, modelId).stream()
                .filter(c -> c.ownerId() == userId || access.mayUse(userId, c.id()))
                .filter(c -> find(c.id()).filter(m -> m.weightsKey() != null && !m.withheld()).isPresent())
                .findFirst().map(this::template);
    }

    @Override
    public List<ModelTemplate> fineTunableFor(long userId) {
        return ownedWithWeights(userId, null, MAX_TEMPLATES_LISTED).stream()
                .map(m -> new ModelTemplate(m.id(), m.title(), userId, validator.parse(m.model().cardJson())))
                .filter(t -> !t.card().isTrees()).toList();
    }

    @Override
    public List<LicensedParent> licensedFineTunableFor(long userId) {
        List<ListingAccess.HeldLicense> held = access.heldBy(userId, MAX_TEMPLATES_LISTED);
        Map<Long, ModelTemplate> trained = new HashMap<>();
        jdbc.sql("""
                        SELECT l.id, l.title, l.owner_id, m.card::text AS card
                        FROM models m JOIN listings l ON l.id = m.listing_id
                        WHERE l.id = ANY(:ids) AND l.status = 'PUBLISHED' AND m.weights_key IS NOT NULL AND NOT m.withheld""")
                .param("ids", held.stream().map(ListingAccess.HeldLicense::listingId).toArray(Long[]::new))
                .query((rs, n) -> new ModelTemplate(rs.getLong("id"), rs.getString("title"), rs.getLong("owner_id"),
                        validator.parse(rs.getString("card"))))
                .list().stream().filter(t -> !t.card().isTrees()).forEach(t -> trained.put(t.id(), t));
        return held.stream().filter(h -> trained.containsKey(h.listingId()))
                .map(h -> new LicensedParent(trained.get(h.listingId()), h.paidAic())).toList();
    }

    @Override
    public InputStream parentWeights(long modelId) throws IOException {
        StoredModel model = find(modelId).filter(m -> m.weightsKey() != null).orElseThrow(NotFoundException::new);
        return decryptWeights(modelId, model);
    }

    /** A free card trains for everyone; a paid one sells the right to train with it, to the owner and licensees. */
    private boolean mayTrain(long userId, TemplateCandidate candidate) {
        return candidate.priceAic().signum() == 0 || access.mayUse(userId, candidate.id());
    }

    /** Cards someone might train with: their own and the published ones, theirs first, then the newest. */
    private List<TemplateCandidate> templateCandidates(long userId, Long onlyId) {
        return jdbc.sql("""
                        SELECT l.id, l.title, l.owner_id, l.price_aic, m.card::text AS card
                        FROM models m JOIN listings l ON l.id = m.listing_id
                        WHERE (l.owner_id = :user OR l.status = 'PUBLISHED') AND (CAST(:only AS bigint) IS NULL OR l.id = :only)
                        ORDER BY l.owner_id = :user DESC, l.created_at DESC, l.id DESC
                        LIMIT :limit""")
                .param("user", userId).param("only", onlyId).param("limit", MAX_TEMPLATE_CANDIDATES)
                .query((rs, n) -> new TemplateCandidate(rs.getLong("id"), rs.getString("title"), rs.getLong("owner_id"),
                        rs.getBigDecimal("price_aic"), rs.getString("card")))
                .list();
    }

    /** Parsed only once chosen: a card is parsed and validated against the schema. */
    private ModelTemplate template(TemplateCandidate c) {
        return new ModelTemplate(c.id(), c.title(), c.ownerId(), validator.parse(c.cardJson()));
    }

    /** A model's stored card and weights, whoever asks (the caller decides who may use them). */
    Optional<StoredModel> find(long id) {
        return rows.get(id, this::row).map(ModelRow::model);
    }

    /** The owner's models with weights that are not withheld (or only {@code onlyId}), newest first. */
    List<OwnedModel> ownedWithWeights(long ownerId, Long onlyId, int limit) {
        return jdbc.sql("""
                        SELECT l.id, l.title, m.card::text AS card, m.weights_key, m.weights_bytes, m.wrapped_data_key,
                               m.withheld, m.api_visibility, m.api_price_per_1000_aic
                        FROM models m JOIN listings l ON l.id = m.listing_id
                        WHERE l.owner_id = :owner AND m.weights_key IS NOT NULL AND NOT m.withheld
                          AND (CAST(:only AS bigint) IS NULL OR l.id = :only)
                        ORDER BY l.created_at DESC, l.id DESC
                        LIMIT :limit""")
                .param("owner", ownerId).param("only", onlyId).param("limit", limit)
                .query((rs, n) -> new OwnedModel(rs.getLong("id"), rs.getString("title"), storedModel(rs, n)))
                .list();
    }

    record OwnedModel(long id, String title, StoredModel model) {
    }

    private static StoredModel storedModel(ResultSet rs, int n) throws SQLException {
        return new StoredModel(rs.getString("card"), rs.getString("weights_key"), (Long) rs.getObject("weights_bytes"),
                rs.getBytes("wrapped_data_key"), rs.getBoolean("withheld"),
                ApiVisibility.valueOf(rs.getString("api_visibility")), rs.getBigDecimal("api_price_per_1000_aic"));
    }

    private void deleteQuietly(BlobStore.StoredBlob blob) {
        if (blob != null) {
            pendingBlobs.discard(blob.key());
        }
    }

    /** {@code withheld}: the weights wait for the training job's provider to be paid on-chain. */
    /**
     * @param apiVisibility       who may ask the model for predictions (page and API) besides its owner
     * @param apiPricePer1000Aic  what 1,000 predictions cost callers other than the owner (0 = free)
     */
    record StoredModel(String cardJson, String weightsKey, Long weightsBytes, byte[] wrappedDataKey, boolean withheld,
                       ApiVisibility apiVisibility, BigDecimal apiPricePer1000Aic) {
    }

    /**
     * The owner's choice of who may call the model and at what price per 1,000 predictions (0 to 1,000,000 AIC, at
     * most 18 decimals). Anyone else: 403 (404 where they may not see the model).
     */
    void setApi(long id, AccountPrincipal viewer, String visibility, String pricePer1000) {
        ListingView listing = catalog.view(id, ListingKind.MODEL, viewer);
        if (!listing.ownedBy(viewer)) {
            throw new AccessDeniedException("Only the owner sets a model's API");
        }
        ApiVisibility chosen = ApiVisibility.parse(visibility);
        BigDecimal price = Aic.parse(pricePer1000, "price", true);
        jdbc.sql("UPDATE models SET api_visibility = ?, api_price_per_1000_aic = ? WHERE listing_id = ?")
                .params(chosen.name(), price, id).update();
        rows.dropOnCommit(id);
    }

    private record TemplateCandidate(long id, String title, long ownerId, BigDecimal priceAic, String cardJson) {
    }

    /** {@code mayUse}: the viewer owns the model or holds a license of it. */
    record ModelPage(ListingView listing, ModelCard card, StoredModel model, boolean mayUse) {

        /** A free card is open to whoever sees the model; a paid one is part of what its license sells. */
        boolean cardOpen() {
            return listing.free() || mayUse;
        }
    }
}
