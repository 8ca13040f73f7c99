package ai.aicrypto.plaza.compute.internal.web;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.compute.internal.SweepPlan;
import ai.aicrypto.plaza.compute.internal.Sweeps;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelTemplate;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.HyperparameterSpec;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.model.card.TrainedCards;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.context.support.DefaultMessageSourceResolvable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Easy AI Builder's rules: walks the steps in order, checking each choice server-side, and
 * stops at the first step that is missing or wrong, so a form posted by hand cannot skip a check.
 */
@Service
class Builder {

    static final int DATASET = 1, MODEL = 2, HYPERPARAMETERS = 3, GPU = 4, REVIEW = 5, SUBMIT = 6;
    static final String CHEAPEST = "cheapest", FASTEST = "fastest";
    private static final ModelCardValidator CARDS = new ModelCardValidator();

    private final Datasets datasets;
    private final Models models;
    private final OfferDirectory offers;
    private final TrainingJobs jobs;
    private final JsonMapper json;
    private final TransactionTemplate transaction;
    private final Sweeps sweeps;
    private final RandomGenerator random = new SecureRandom();

    Builder(Datasets datasets, Models models, OfferDirectory offers, TrainingJobs jobs, JsonMapper json,
            TransactionTemplate transaction, Sweeps sweeps) {
        this.sweeps = sweeps;
        this.transaction = transaction;
        this.datasets = datasets;
        this.models = models;
        this.offers = offers;
        this.jobs = jobs;
        this.json = json;
    }

    /** The step to show for these choices, with what it needs and the errors that stopped the walk there. */
    Wizard walk(long userId, BuilderForm form) {
        int target = Math.max(DATASET, Math.min(SUBMIT, form.getStep()));
        Map<String, UserFacingException> errors = new LinkedHashMap<>();
        Wizard.Walk w = new Wizard.Walk(errors);

        w.dataset = form.getDatasetId() == null ? null : datasets.trainableBy(userId, form.getDatasetId()).orElse(null);
        if (target == DATASET || w.dataset == null) {
            w.datasets = datasets.trainableBy(userId);
            return w.stop(DATASET, target > DATASET && w.dataset == null
                    ? new UserFacingException("datasetId", "builder.error.dataset") : null);
        }
        Preprocessing data = datasets.preprocessing(w.dataset.id());
        UserFacingException modelError;
        if (form.fineTuneParentId() != null) {
            Optional<ModelTemplate> parent = models.fineTunableBy(userId, form.fineTuneParentId());
            modelError = parent.isEmpty() ? new UserFacingException("modelId", "builder.error.parent")
                    : parentMisfit(parent.get().card(), w.dataset, data);
            w.model = modelError != null ? null : new ModelTemplate(0, parent.get().title(), userId,
                    CARDS.parse(TrainedCards.fineTuning(parent.get().card(), data, w.dataset.title())));
            w.parent = modelError != null ? null : parent.get();
        } else {
            w.model = chosenModel(userId, form, w.dataset, data);
            modelError = w.model == null ? new UserFacingException("modelId",
                    form.listedModelId() != null && models.licenseNeeded(userId, form.listedModelId())
                            ? "builder.error.model-license" : "builder.error.model") : null;
        }
        if (modelError == null) {
            modelError = misfit(w.model.card(), w.dataset, data);
        }
        if (target == MODEL || modelError != null) {
            w.recommendations = RecommendedModels.forDataset(w.dataset.title(), data, w.dataset.rowCount());
            w.templates = models.templatesFor(userId).stream()
                    .map(t -> new Wizard.TemplateChoice(t, misfit(t.card(), w.dataset, data))).toList();
            w.fineTunable = models.fineTunableFor(userId);
            w.licensedParents = models.licensedFineTunableFor(userId);
            return w.stop(MODEL, target > MODEL ? modelError : null);
        }
        w.hyperparameters = hyperparameters(w.model, form.getHp(), errors);
        if (errors.isEmpty() && form.sweep()) {
            w.sweep = sweep(w.model.card(), w.hyperparameters, form, errors);
        }
        if (target == HYPERPARAMETERS || !errors.isEmpty()) {
            if (target == HYPERPARAMETERS) {
                errors.clear();
            }
            return w.stop(HYPERPARAMETERS, null);
        }
        String passes = w.model.card().passesHyperparameter(); // epochs, or a tree model's rounds
        int epochs = w.hyperparameters.stream().filter(h -> h.name().equals(passes)).findFirst()
                .map(h -> Integer.parseInt(h.value())).orElse(1);
        // Only offers with a worker online that trains the model's family: another would never lease the job.
        String family = w.model.card().architectureTemplate();
        Map<Boolean, List<OfferDirectory.Offer>> fit = offers.online(OfferDirectory.Sort.PRICE).stream()
                .collect(Collectors.partitioningBy(o -> o.trains(family)));
        List<OfferDirectory.Offer> online = fit.get(true);
        w.unfitOffers = fit.get(false);
        w.offerChoices = online.stream().map(o -> new Wizard.OfferChoice(o, estimate(w, epochs, o))).toList();
        // Picked for the requester: only among trusted offers while there is one; someone else's paid
        // dataset only ever goes to a vetted offer (Reliability), unless its owner allows others.
        boolean vettedOnly = w.dataset.needsVettedCompute(userId);
        List<OfferDirectory.Offer> candidates = vettedOnly ? online.stream().filter(OfferDirectory.Offer::vetted).toList()
                : online.stream().anyMatch(OfferDirectory.Offer::trusted)
                ? online.stream().filter(OfferDirectory.Offer::trusted).toList() : online;
        w.cheapest = candidates.stream().findFirst().orElse(null);
        w.fastest = candidates.stream().filter(o -> o.measuredScore() != null)
                .max(Comparator.comparingDouble(OfferDirectory.Offer::measuredScore)).orElse(w.cheapest);
        UserFacingException noOffer = !online.isEmpty() ? null : w.unfitOffers.isEmpty()
                ? new UserFacingException("offer", "builder.error.no-online")
                : new UserFacingException("offer", "builder.error.no-family", familyName(family));
        if (target == GPU || noOffer != null) {
            return w.stop(GPU, noOffer);
        }
        w.offer = chosenOffer(form.getOffer(), w, errors);
        if (w.offer != null && vettedOnly && !w.offer.vetted()) {
            errors.put("offer", new UserFacingException("offer", "builder.error.offer-unvetted", w.offer.title()));
            w.offer = null;
        }
        w.budget = budget(form.getBudget(), errors);
        if (!errors.isEmpty()) {
            return w.stop(GPU, null);
        }
        w.estimate = w.offer.measuredScore() == null ? null : estimate(w, epochs, w.offer);
        if (w.sweep != null) {
            int trials = w.sweep.trials().size();
            // Every trial trains as many passes on the same data and card, so each has the same estimate.
            BigDecimal total = w.estimate == null ? null : w.estimate.costAic().multiply(BigDecimal.valueOf(trials));
            if (total != null && total.compareTo(w.budget) > 0) {
                return w.stop(GPU, new UserFacingException("budget", "builder.error.sweep-over-budget", trials,
                        total.stripTrailingZeros().toPlainString(), w.estimate.costAic().toPlainString(),
                        w.budget.stripTrailingZeros().toPlainString()));
            }
            BigDecimal share = Sweeps.share(w.budget, trials);
            w.sweep = new Wizard.Sweep(w.sweep.search(), w.sweep.trials(), w.sweep.varied(), w.sweep.keepAll(), share,
                    placement(w, epochs, candidates, share));
        } else if (w.estimate != null && w.estimate.costAic().compareTo(w.budget) > 0) {
            return w.stop(GPU, new UserFacingException("budget", "builder.error.over-budget",
                    w.estimate.costAic().toPlainString(), w.budget.stripTrailingZeros().toPlainString()));
        }
        return w.stop(target, null);
    }

    /**
     * Queues the job (or the sweep's trials) the wizard's choices describe, or shows the step to fix. A recommended model
     * becomes the requester's private model card in the same transaction as the jobs, so a refused job leaves no card.
     */
    Submission submit(long userId, BuilderForm form) {
        form.setStep(SUBMIT);
        Wizard w = walk(userId, form);
        if (w.step() != SUBMIT) {
            return new Submission(null, null, w);
        }
        Long parent = w.parent() == null ? null : w.parent().id();
        return transaction.execute(status -> {
            long model = form.recommendation() == null && w.parent() == null ? w.model().id()
                    : models.createPrivate(userId, new ModelUpload(w.model().card().json().toString(),
                            List.of("easy-ai-builder"), null));
            if (w.sweep() != null) {
                List<String> trials = w.sweep().trials().stream().map(json::writeValueAsString).toList();
                return new Submission(null, sweeps.submit(userId, w.dataset().id(), model, w.sweep().offerIds(), parent,
                        w.sweep().search(), w.budget(), w.sweep().keepAll(), trials), w);
            }
            return new Submission(jobs.submit(new TrainingJobs.JobRequest(userId, w.dataset().id(), model,
                    json.writeValueAsString(values(w.hyperparameters())), 0, w.offer().id(), w.budget(), parent)), null, w);
        });
    }

    private static Map<String, Object> values(List<Wizard.Hyperparameter> hyperparameters) {
        Map<String, Object> values = new LinkedHashMap<>();
        hyperparameters.forEach(h -> values.put(h.name(),
                h.type() == HyperparameterSpec.Type.CHOICE ? h.value() : new BigDecimal(h.value())));
        return values;
    }

    /**
     * The trials of "try several settings" over the card's ranges (the other values as chosen), or null with the error:
     * a count outside {@value SweepPlan#MIN_TRIALS} to {@value SweepPlan#MAX_TRIALS}, an unknown search, or a card with
     * nothing to vary.
     */
    private Wizard.Sweep sweep(ModelCard card, List<Wizard.Hyperparameter> chosen, BuilderForm form,
                               Map<String, UserFacingException> errors) {
        String text = form.getTrials().strip();
        if (!text.matches("\\d{1,2}") || Integer.parseInt(text) < SweepPlan.MIN_TRIALS || Integer.parseInt(text) > SweepPlan.MAX_TRIALS) {
            errors.put("trials", new UserFacingException("trials", "builder.error.sweep-trials", SweepPlan.MIN_TRIALS,
                    SweepPlan.MAX_TRIALS));
            return null;
        }
        SweepPlan.Search search = "random".equals(form.getSearch()) ? SweepPlan.Search.RANDOM
                : form.getSearch() == null || "grid".equals(form.getSearch()) ? SweepPlan.Search.GRID : null;
        if (search == null) {
            errors.put("trials", new UserFacingException("trials", "builder.error.sweep-search"));
            return null;
        }
        List<Map<String, Object>> trials = SweepPlan.trials(card.hyperparameters(), values(chosen), card.passesHyperparameter(),
                search, Integer.parseInt(text), random);
        if (trials.size() < SweepPlan.MIN_TRIALS) {
            errors.put("trials", new UserFacingException("trials", "builder.error.sweep-nothing-varies"));
            return null;
        }
        Map<String, Object> first = trials.get(0);
        List<String> varied = first.keySet().stream()
                .filter(name -> trials.stream().anyMatch(t -> !String.valueOf(t.get(name)).equals(String.valueOf(first.get(name)))))
                .toList();
        return new Wizard.Sweep(search, trials, varied, form.isKeepAll(), null, null);
    }

    /** The listed template or the recommendation the form names, if this user may train it on this dataset. */
    private ModelTemplate chosenModel(long userId, BuilderForm form, TrainableDataset dataset, Preprocessing data) {
        if (form.recommendation() != null) {
            return RecommendedModels.find(form.recommendation(), dataset.title(), data, dataset.rowCount())
                    .map(r -> new ModelTemplate(0, r.card().name(), userId, r.card())).orElse(null);
        }
        Long listed = form.listedModelId();
        return listed == null ? null : models.templateFor(userId, listed).orElse(null);
    }

    /** Why a model cannot learn this dataset as it is encoded, or null when it can. */
    private static UserFacingException misfit(ModelCard card, TrainableDataset dataset, Preprocessing data) {
        return card.misfit(data, dataset.featureCount(), "modelId").orElse(null);
    }

    /**
     * Why a trained model cannot be fine-tuned on this dataset, or null when it can: its network must read the dataset's
     * features as it did its own (the same count, image shape, text buckets and slots); trees are not fine-tuned.
     */
    private static UserFacingException parentMisfit(ModelCard parent, TrainableDataset dataset, Preprocessing data) {
        if (parent.isTrees()) {
            return new UserFacingException("modelId", "builder.error.parent-trees");
        }
        boolean sameImage = !data.forImages() || parent.inputShape().equals(
                List.of(data.image().channels(), data.image().height(), data.image().width()));
        boolean sameText = !parent.isText() || parent.textArchitecture().buckets() == data.textBuckets()
                && parent.textArchitecture().textSlots() == data.textSlots();
        if (parent.inputFeatureCount() != dataset.featureCount() || !sameImage || !sameText) {
            return new UserFacingException("modelId", "builder.error.parent-input", parent.inputFeatureCount(),
                    dataset.featureCount());
        }
        return null;
    }

    /** What was queued: one job, or a sweep's trials; both null when the wizard stopped at a step to fix. */
    record Submission(Long jobId, Long sweepId, Wizard wizard) {
    }

    private static PriceEstimate estimate(Wizard.Walk w, int epochs, OfferDirectory.Offer offer) {
        return offer.measuredScore() == null ? null
                : PriceEstimate.of(w.dataset.rowCount(), epochs, w.model.card(), offer.measuredScore(), offer.pricePerHourAic());
    }

    /**
     * Where a sweep's trials go, in turn: the chosen offer, then every other offer the builder would pick from for this
     * dataset (the same trusted or vetted ones as "cheapest" and "fastest") whose estimate for a trial fits its share, at
     * most one per trial. An offer without a benchmark has no estimate, so only the chosen one can be such an offer.
     */
    private static List<OfferDirectory.Offer> placement(Wizard.Walk w, int epochs, List<OfferDirectory.Offer> candidates,
                                                        BigDecimal share) {
        List<OfferDirectory.Offer> placed = new ArrayList<>(List.of(w.offer));
        for (OfferDirectory.Offer o : candidates) {
            PriceEstimate e = estimate(w, epochs, o);
            if (placed.size() < w.sweep.trials().size() && o.id() != w.offer.id() && e != null && e.costAic().compareTo(share) <= 0) {
                placed.add(o);
            }
        }
        return List.copyOf(placed);
    }

    /** The card's hyperparameters with the form's values (the defaults where none was given), each checked. */
    private static List<Wizard.Hyperparameter> hyperparameters(ModelTemplate model, Map<String, String> given,
                                                               Map<String, UserFacingException> errors) {
        List<Wizard.Hyperparameter> out = new ArrayList<>();
        for (HyperparameterSpec spec : model.card().hyperparameters()) {
            String value = Optional.ofNullable(given.get(spec.name())).map(String::strip)
                    .orElse(spec.defaultValue() instanceof BigDecimal d ? d.toPlainString() : String.valueOf(spec.defaultValue()));
            UserFacingException error = check(spec, value);
            if (error != null) {
                errors.put(error.field(), error);
            }
            out.add(new Wizard.Hyperparameter(spec.name(), spec.type(), value, spec.min(), spec.max(), spec.allowedValues()));
        }
        return out;
    }

    private static UserFacingException check(HyperparameterSpec spec, String value) {
        String field = "hp." + spec.name();
        if (spec.type() == HyperparameterSpec.Type.CHOICE) {
            return spec.accepts(value) ? null
                    : new UserFacingException(field, "builder.error.hp-choice", String.join(", ", spec.allowedValues()));
        }
        BigDecimal number;
        try {
            number = new BigDecimal(value);
        } catch (NumberFormatException e) {
            return new UserFacingException(field, "builder.error.hp-number", value);
        }
        if (spec.type() == HyperparameterSpec.Type.INTEGER && number.stripTrailingZeros().scale() > 0) {
            return new UserFacingException(field, "builder.error.hp-integer");
        }
        return spec.accepts(number) ? null : new UserFacingException(field, "builder.error.hp-range",
                spec.min().toPlainString(), spec.max().toPlainString());
    }

    /** A dataset the requester licensed from someone else: its owner sold it to them, not to any GPU provider. */
    private OfferDirectory.Offer chosenOffer(String choice, Wizard.Walk w, Map<String, UserFacingException> errors) {
        OfferDirectory.Offer offer = null;
        if (CHEAPEST.equals(choice)) {
            offer = w.cheapest;
        } else if (FASTEST.equals(choice)) {
            offer = w.fastest;
        } else if (choice != null && choice.matches("\\d{1,18}")) {
            offer = offers.find(Long.parseLong(choice)).filter(OfferDirectory.Offer::online).orElse(null);
            if (offer == null) {
                errors.put("offer", new UserFacingException("offer", "builder.error.offer-offline"));
                return null;
            }
            if (!offer.trains(w.model.card().architectureTemplate())) {
                errors.put("offer", new UserFacingException("offer", "builder.error.offer-family", offer.title(),
                        familyName(w.model.card().architectureTemplate())));
                return null;
            }
        }
        if (offer == null) {
            errors.put("offer", new UserFacingException("offer",
                    w.offerChoices.isEmpty() ? "builder.error.no-online" : "builder.error.offer"));
        }
        return offer;
    }

    /** A model family's name in the reader's language (a message argument resolved with the message). */
    static MessageSourceResolvable familyName(String family) {
        return new DefaultMessageSourceResolvable(new String[] {"family." + family}, family);
    }

    private static BigDecimal budget(String text, Map<String, UserFacingException> errors) {
        BigDecimal budget = null;
        try {
            budget = text == null || text.isBlank() ? null : new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            errors.put("budget", new UserFacingException("budget", "builder.error.budget-format", text.strip()));
            return null;
        }
        if (budget == null || budget.signum() <= 0 || budget.precision() - budget.scale() > 20) {
            errors.put("budget", new UserFacingException("budget", "builder.error.budget"));
            return null;
        }
        if (budget.stripTrailingZeros().scale() > 18) {
            errors.put("budget", new UserFacingException("budget", "listing.error.price-precision", 18));
            return null;
        }
        return budget;
    }
}
