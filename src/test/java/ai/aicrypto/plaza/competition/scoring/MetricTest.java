package ai.aicrypto.plaza.competition.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class MetricTest {

    private static final org.assertj.core.data.Offset<Double> EXACT = within(1e-12);

    @Test
    void directionAndPredictionKindOfEveryMetric() {
        assertThat(Metric.ACCURACY.higherIsBetter()).isTrue();
        assertThat(Metric.MACRO_F1.higherIsBetter()).isTrue();
        assertThat(Metric.ROC_AUC.higherIsBetter()).isTrue();
        assertThat(Metric.LOG_LOSS.higherIsBetter()).isFalse();
        assertThat(Metric.RMSE.higherIsBetter()).isFalse();
        assertThat(Metric.MAE.higherIsBetter()).isFalse();
        assertThat(Metric.ACCURACY.labelPredictions()).isTrue();
        assertThat(Metric.MACRO_F1.labelPredictions()).isTrue();
        assertThat(Metric.ROC_AUC.binary()).isTrue();
        assertThat(Metric.LOG_LOSS.binary()).isTrue();
        assertThat(Metric.RMSE.predictionKind()).isEqualTo(Metric.PredictionKind.NUMBER);
        assertThat(Metric.MAE.predictionKind()).isEqualTo(Metric.PredictionKind.NUMBER);
        assertThat(Metric.RMSE.isBetter(0.1, 0.2)).isTrue();
        assertThat(Metric.ROC_AUC.isBetter(0.1, 0.2)).isFalse();
        assertThat(Metric.ACCURACY.isBetter(0.5, 0.5)).isFalse();
    }

    @Test
    void accuracyCountsExactMatches() {
        // scikit-learn accuracy_score([0, 2, 1, 3], [0, 1, 2, 3]) == 0.5
        assertThat(Metric.ACCURACY.score(new int[] {0, 1, 2, 3}, new int[] {0, 2, 1, 3})).isCloseTo(0.5, EXACT);
        assertThat(Metric.ACCURACY.score(new int[] {1, 1, 0}, new int[] {1, 1, 0})).isEqualTo(1.0);
        assertThat(Metric.ACCURACY.score(new int[] {1, 1, 0}, new int[] {0, 0, 1})).isEqualTo(0.0);
    }

    @Test
    void macroF1MatchesScikitLearnDocumentation() {
        // f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average='macro') == 0.26666...
        double f1 = Metric.MACRO_F1.score(new int[] {0, 1, 2, 0, 1, 2}, new int[] {0, 2, 1, 0, 0, 1});
        assertThat(f1).isCloseTo(4.0 / 15, EXACT);
    }

    @Test
    void macroF1AveragesOverClassesInTruthOrPredictionsOnly() {
        // Class 1 is absent from both: it is not averaged in. Class 0: P=1, R=1/2, F1=2/3. Class 2: P=1/2, R=1, F1=2/3.
        double f1 = Metric.MACRO_F1.score(new int[] {0, 0, 2}, new int[] {0, 2, 2});
        assertThat(f1).isCloseTo(2.0 / 3, EXACT);
        // Class 3 only predicted: F1 0 and it counts; (1 + 0) / 2 with class 0 perfect on the remaining row.
        assertThat(Metric.MACRO_F1.score(new int[] {0, 0}, new int[] {0, 3})).isCloseTo((2.0 / 3 + 0) / 2, EXACT);
        assertThat(Metric.MACRO_F1.score(new int[] {1, 0, 1}, new int[] {1, 0, 1})).isEqualTo(1.0);
    }

    @Test
    void rocAucMatchesScikitLearnDocumentation() {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        assertThat(Metric.ROC_AUC.score(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.4, 0.35, 0.8}))
                .isCloseTo(0.75, EXACT);
    }

    @Test
    void rocAucCountsTiesBetweenClassesAsOneHalf() {
        assertThat(Metric.ROC_AUC.score(new int[] {0, 1}, new double[] {0.5, 0.5})).isEqualTo(0.5);
        assertThat(Metric.ROC_AUC.score(new int[] {0, 0, 1, 1}, new double[] {0.5, 0.5, 0.5, 0.5})).isEqualTo(0.5);
        // Pairs (neg, pos): (0.2,0.2)=.5 (0.2,0.7)=1 (0.7,0.2)=0 (0.7,0.7)=.5 (0.2,0.9)=1 (0.7,0.9)=1 -> 4/6
        assertThat(Metric.ROC_AUC.score(new int[] {0, 0, 1, 1, 1}, new double[] {0.2, 0.7, 0.2, 0.7, 0.9}))
                .isCloseTo(4.0 / 6, EXACT);
        // -0.0 and 0.0 are the same score.
        assertThat(Metric.ROC_AUC.score(new int[] {0, 1}, new double[] {0.0, -0.0})).isEqualTo(0.5);
        assertThat(Metric.ROC_AUC.score(new int[] {1, 0, 1, 0}, new double[] {0.9, 0.1, 0.8, 0.2})).isEqualTo(1.0);
        assertThat(Metric.ROC_AUC.score(new int[] {0, 1, 0, 1}, new double[] {0.9, 0.1, 0.8, 0.2})).isEqualTo(0.0);
    }

    @Test
    void rocAucEqualsThePairwiseDefinitionOnRandomDataWithManyTies() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 20; round++) {
            int n = 50 + random.nextInt(200);
            int[] truth = new int[n];
            double[] p = new double[n];
            truth[0] = 0;
            truth[1] = 1;
            for (int i = 0; i < n; i++) {
                if (i > 1) {
                    truth[i] = random.nextInt(2);
                }
                p[i] = random.nextInt(11) / 10.0; // only 11 distinct scores: many ties
            }
            double pairs = 0;
            double u = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (truth[i] == 1 && truth[j] == 0) {
                        pairs++;
                        u += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                    }
                }
            }
            assertThat(Metric.ROC_AUC.score(truth, p)).isCloseTo(u / pairs, EXACT);
        }
    }

    @Test
    void rocAucNeedsBothClasses() {
        assertThatThrownBy(() -> Metric.ROC_AUC.score(new int[] {1, 1}, new double[] {0.1, 0.2}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void logLossMatchesScikitLearnDocumentation() {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) == 0.21616...
        // Columns are the sorted classes [ham, spam]: P(spam) = .9, .1, .2, .65 and spam is the positive class.
        double loss = Metric.LOG_LOSS.score(new int[] {1, 0, 0, 1}, new double[] {0.9, 0.1, 0.2, 0.65});
        assertThat(loss).isCloseTo(0.21616, within(1e-5));
        assertThat(loss).isCloseTo(-(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4, EXACT);
    }

    @Test
    void logLossClipsProbabilitiesToEpsilon() {
        assertThat(Metric.LOG_LOSS_EPSILON).isEqualTo(1e-15);
        // A certain, wrong prediction costs -ln(1e-15) = 34.538776..., not infinity.
        assertThat(Metric.LOG_LOSS.score(new int[] {1}, new double[] {0.0})).isCloseTo(34.538776394910684, EXACT);
        assertThat(Metric.LOG_LOSS.score(new int[] {0}, new double[] {1.0})).isCloseTo(34.538776394910684, within(1e-3));
        assertThat(Metric.LOG_LOSS.score(new int[] {1, 0}, new double[] {1.0, 0.0})).isCloseTo(0.0, within(1e-14));
        assertThat(Metric.LOG_LOSS.score(new int[] {1, 0}, new double[] {0.5, 0.5})).isCloseTo(Math.log(2), EXACT);
    }

    @Test
    void rmseAndMae() {
        // scikit-learn: mean_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) == 0.5,
        // mean_squared_error(...) == 0.375, so RMSE = sqrt(0.375).
        double[] truth = {3, -0.5, 2, 7};
        double[] predicted = {2.5, 0.0, 2, 8};
        assertThat(Metric.MAE.score(truth, predicted)).isCloseTo(0.5, EXACT);
        assertThat(Metric.RMSE.score(truth, predicted)).isCloseTo(Math.sqrt(0.375), EXACT);
        assertThat(Metric.RMSE.score(new double[] {1, 2}, new double[] {1, 2})).isEqualTo(0.0);
        assertThat(Metric.RMSE.score(new double[] {0, 0}, new double[] {3, 4})).isCloseTo(Math.sqrt(12.5), EXACT);
        assertThat(Metric.MAE.score(new double[] {0, 0}, new double[] {3, -4})).isCloseTo(3.5, EXACT);
    }

    @Test
    void wrongArgumentsAreRefused() {
        assertThatThrownBy(() -> Metric.RMSE.score(new int[] {0}, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RMSE");
        assertThatThrownBy(() -> Metric.ACCURACY.score(new double[] {0}, new double[] {0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metric.MAE.score(new double[] {0, 1}, new double[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 truth values but 1");
        assertThatThrownBy(() -> Metric.LOG_LOSS.score(new int[] {2}, new double[] {0.5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 or 1");
        assertThatThrownBy(() -> Metric.MAE.score(new double[0], new double[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
