package ai.aicrypto.plaza.competition.internal;

import ai.aicrypto.plaza.compute.JobWatchers;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The training job of a data competition's submission is its team's to follow: every member of the submitting team
 * (as it is now, after any merge) sees the job's status, as the submission's row on "My submissions" links to it. The
 * submitted dataset keeps its own rules: the job page names it, its private records stay its owner's.
 */
@Component
class SubmissionJobWatchers implements JobWatchers {

    private final JdbcClient jdbc;

    SubmissionJobWatchers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean mayWatch(long jobId, long accountId) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM submissions s JOIN participants p ON p.team_id = s.team_id
                                       WHERE s.training_job_id = ? AND p.user_id = ?)""")
                .params(jobId, accountId).query(Boolean.class).single();
    }
}
