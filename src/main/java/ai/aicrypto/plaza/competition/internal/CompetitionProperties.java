package ai.aicrypto.plaza.competition.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param scoringTimeLimit  how long one submission may take to score before it ends FAILED
 * @param scoringThreads    submissions scored at the same time on this instance
 * @param maxSubmissionSize largest predictions or solution file
 * @param leaderboardRows   rows the leaderboard page shows (the CSV has all)
 */
@ConfigurationProperties("plaza.competition")
public record CompetitionProperties(@DefaultValue("5m") Duration scoringTimeLimit,
                                    @DefaultValue("2") int scoringThreads,
                                    @DefaultValue("512MB") DataSize maxSubmissionSize,
                                    @DefaultValue("100") int leaderboardRows) {
}
