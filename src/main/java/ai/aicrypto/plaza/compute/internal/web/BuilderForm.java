package ai.aicrypto.plaza.compute.internal.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Easy AI Builder's choices so far. Every step's form carries all of them (the current step's
 * as inputs, the others hidden), so the wizard keeps no state on the server and works without JS.
 */
public class BuilderForm {

    private Long datasetId;
    /** A listed model's id, {@value #RECOMMENDED} and a recommendation's key, or {@value #FINE_TUNE} and a trained model's id. */
    private String modelId;
    private Map<String, String> hp = new LinkedHashMap<>();
    /** "cheapest", "fastest" or an offer id. */
    private String offer;
    private String budget;
    /** "Try several settings": how many trials (blank or 1: one job), searched on a "grid" or at "random". */
    private String trials;
    private String search;
    /** Whether a sweep keeps every trial's weights, not only the best's. */
    private boolean keepAll;
    /** The step asked for; the wizard shows an earlier one if a choice before it is missing or invalid. */
    private int step = Builder.DATASET;

    public Long getDatasetId() {
        return datasetId;
    }

    public void setDatasetId(Long datasetId) {
        this.datasetId = datasetId;
    }

    static final String RECOMMENDED = "recommended:";
    static final String FINE_TUNE = "fine-tune:";

    public String getModelId() {
        return modelId;
    }

    public void setModelId(String modelId) {
        this.modelId = modelId;
    }

    /** The listed model chosen, or null (none, a recommendation, or not an id). */
    Long listedModelId() {
        return modelId != null && modelId.matches("\\d{1,18}") ? Long.valueOf(modelId) : null;
    }

    /** The trained model chosen to fine-tune, or null (none, or not an id). */
    Long fineTuneParentId() {
        return modelId != null && modelId.matches(FINE_TUNE + "\\d{1,18}") ? Long.valueOf(modelId.substring(FINE_TUNE.length())) : null;
    }

    /** The key of the recommended model chosen, or null. */
    String recommendation() {
        return modelId != null && modelId.startsWith(RECOMMENDED) ? modelId.substring(RECOMMENDED.length()) : null;
    }

    public Map<String, String> getHp() {
        return hp;
    }

    public void setHp(Map<String, String> hp) {
        this.hp = hp;
    }

    public String getOffer() {
        return offer;
    }

    public void setOffer(String offer) {
        this.offer = offer;
    }

    public String getBudget() {
        return budget;
    }

    public void setBudget(String budget) {
        this.budget = budget;
    }

    public String getTrials() {
        return trials;
    }

    public void setTrials(String trials) {
        this.trials = trials;
    }

    public String getSearch() {
        return search;
    }

    public void setSearch(String search) {
        this.search = search;
    }

    public boolean isKeepAll() {
        return keepAll;
    }

    public void setKeepAll(boolean keepAll) {
        this.keepAll = keepAll;
    }

    /** Whether the member asked for a sweep (more than one trial, or something that is not a count). */
    boolean sweep() {
        return trials != null && !trials.isBlank() && !trials.strip().equals("1");
    }

    public int getStep() {
        return step;
    }

    public void setStep(int step) {
        this.step = step;
    }
}
