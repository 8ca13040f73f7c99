package ai.aicrypto.plaza.compute.internal.web;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.compute.internal.SweepPlan;
import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.model.ModelTemplate;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.HyperparameterSpec;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * One step of the Easy AI Builder as the page shows it: the choices made so far (null until made)
 * and the options of the current step.
 *
 * @param errors by field: {@code datasetId}, {@code modelId}, {@code hp.NAME}, {@code offer}, {@code budget}
 * @param fineTunable the requester's trained models offered to fine-tune (model step)
 * @param licensedParents others' trained models the requester licensed, offered to fine-tune with the price paid (model step)
 * @param parent      the trained model a fine-tuning starts from, or null
 * @param sweep       the trials of "try several settings", or null for one job
 * @param unfitOffers online offers not offered because none of their workers trains the model's family (GPU step)
 */
public record Wizard(int step, Map<String, UserFacingException> errors, List<TrainableDataset> datasets,
                     List<RecommendedModels.Recommendation> recommendations, List<TemplateChoice> templates,
                     List<ModelTemplate> fineTunable, List<Models.LicensedParent> licensedParents, TrainableDataset dataset, ModelTemplate model, ModelTemplate parent,
                     List<Hyperparameter> hyperparameters, List<OfferChoice> offerChoices, OfferDirectory.Offer cheapest,
                     OfferDirectory.Offer fastest, OfferDirectory.Offer offer, BigDecimal budget, PriceEstimate estimate, Sweep sweep,
                     List<OfferDirectory.Offer> unfitOffers) {

    /** The model's family (its card's architecture template), which an offer's workers must train. */
    public String family() {
        return model.card().architectureTemplate();
    }

    /** A hyperparameter's field: the value as typed (the card's default at first) and the card's range or choices. */
    public record Hyperparameter(String name, HyperparameterSpec.Type type, String value, BigDecimal min, BigDecimal max,
                                 List<String> choices) {

        public boolean choice() {
            return type == HyperparameterSpec.Type.CHOICE;
        }

        public boolean integer() {
            return type == HyperparameterSpec.Type.INTEGER;
        }
    }

    /**
     * A sweep's trials: each one's hyperparameters, the names of those that vary, each trial's share of the budget and the
     * offers the trials go to in turn, the chosen one first (both null until the budget is known).
     */
    public record Sweep(SweepPlan.Search search, List<Map<String, Object>> trials, List<String> varied, boolean keepAll,
                        BigDecimal share, List<OfferDirectory.Offer> offers) {

        /** The offers' ids, in the order the trials take them. */
        public List<Long> offerIds() {
            return offers.stream().map(OfferDirectory.Offer::id).toList();
        }

        public String searchKey() {
            return search.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A published card offered as a template, with why it cannot learn the chosen dataset (null when it can). */
    public record TemplateChoice(ModelTemplate template, UserFacingException misfit) {
    }

    /** An online offer with the estimate of this job on it (null when the offer has no measured score yet). */
    public record OfferChoice(OfferDirectory.Offer offer, PriceEstimate estimate) {
    }

    /** Collects the walk's findings step by step. */
    static final class Walk {
        private final Map<String, UserFacingException> errors;
        List<TrainableDataset> datasets = List.of();
        List<RecommendedModels.Recommendation> recommendations = List.of();
        List<TemplateChoice> templates = List.of();
        List<ModelTemplate> fineTunable = List.of();
        List<Models.LicensedParent> licensedParents = List.of();
        TrainableDataset dataset;
        ModelTemplate model;
        ModelTemplate parent;
        List<Hyperparameter> hyperparameters = List.of();
        List<OfferChoice> offerChoices = List.of();
        List<OfferDirectory.Offer> unfitOffers = List.of();
        OfferDirectory.Offer cheapest;
        OfferDirectory.Offer fastest;
        OfferDirectory.Offer offer;
        BigDecimal budget;
        PriceEstimate estimate;
        Sweep sweep;

        Walk(Map<String, UserFacingException> errors) {
            this.errors = errors;
        }

        Wizard stop(int step, UserFacingException error) {
            if (error != null) {
                errors.put(error.field(), error);
            }
            return new Wizard(step, Map.copyOf(errors), datasets, recommendations, templates, fineTunable, licensedParents, dataset, model, parent,
                    hyperparameters, offerChoices,
                    cheapest, fastest, offer, budget, estimate, sweep, unfitOffers);
        }
    }
}
