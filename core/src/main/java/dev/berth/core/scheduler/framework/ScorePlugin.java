package dev.berth.core.scheduler.framework;

import java.util.List;

/**
 * Ranks the feasible nodes. {@link #preScore} sees them all once; {@link #score} rates one;
 * {@link #normalize} maps the raw scores to 0..{@value #MAX_SCORE}.
 */
public interface ScorePlugin extends Plugin {
    int MAX_SCORE = 100;

    default void preScore(CycleState state, PodInfo pod, List<NodeInfo> feasible, ClusterSnapshot cluster) {
    }

    long score(CycleState state, PodInfo pod, NodeInfo node);

    /** Raw scores already within 0..100 need no normalising. */
    default void normalize(CycleState state, PodInfo pod, long[] scores) {
    }

    /**
     * Kube-scheduler's DefaultNormalizeScore: the highest score becomes 100 and the others
     * proportionally; {@code reverse} turns it around (100 - s) for "fewer is better".
     */
    static void defaultNormalize(long[] scores, boolean reverse) {
        long max = 0;
        for (long s : scores) {
            max = Math.max(max, s);
        }
        if (max == 0) {
            if (reverse) {
                java.util.Arrays.fill(scores, MAX_SCORE);
            }
            return;
        }
        for (int i = 0; i < scores.length; i++) {
            long s = MAX_SCORE * scores[i] / max;
            scores[i] = reverse ? MAX_SCORE - s : s;
        }
    }
}
