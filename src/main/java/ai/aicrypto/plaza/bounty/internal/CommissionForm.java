package ai.aicrypto.plaza.bounty.internal;

/** The create form of an AI commission, as typed (the hidden test set comes as two files); {@link CommissionService#create} validates it. */
public class CommissionForm {

    private String title;
    private String description;
    private String metric = "ACCURACY";
    private String bar;
    private String bountyAic;
    private String deadline;

    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getMetric() { return metric; }
    public void setMetric(String metric) { this.metric = metric; }
    /** The score a model must reach on the hidden test set: at least this, or at most for a loss (log loss, RMSE, MAE). */
    public String getBar() { return bar; }
    public void setBar(String bar) { this.bar = bar; }
    public String getBountyAic() { return bountyAic; }
    public void setBountyAic(String bountyAic) { this.bountyAic = bountyAic; }
    /** The deadline day (ISO date), as for a data request. */
    public String getDeadline() { return deadline; }
    public void setDeadline(String deadline) { this.deadline = deadline; }
}
