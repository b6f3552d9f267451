package dev.berth.app.topology.canvas;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ViewportTest {
    @Test
    void zoomKeepsThePointUnderTheCursorInPlace() {
        Viewport v = new Viewport();
        v.panBy(100, 50);
        double wx = v.toWorldX(300), wy = v.toWorldY(200);

        v.zoomAt(2.5, 300, 200);

        assertThat(v.scale()).isEqualTo(2.5);
        assertThat(v.toScreenX(wx)).isCloseTo(300, within(1e-9));
        assertThat(v.toScreenY(wy)).isCloseTo(200, within(1e-9));
    }

    @Test
    void zoomStaysWithinItsLimits() {
        Viewport v = new Viewport();
        v.zoomAt(1000, 0, 0);
        assertThat(v.scale()).isEqualTo(Viewport.MAX_SCALE);
        v.zoomAt(1e-9, 0, 0);
        assertThat(v.scale()).isEqualTo(Viewport.MIN_SCALE);
    }

    @Test
    void fitShowsTheWholeRectangleCentredAndCentreOnPutsAPointInTheMiddle() {
        Viewport v = new Viewport();
        v.fit(-100, 0, 900, 500, 1024, 600);

        assertThat(v.toScreenX(-100)).isGreaterThanOrEqualTo(0);
        assertThat(v.toScreenX(900)).isLessThanOrEqualTo(1024);
        assertThat(v.toScreenY(500)).isLessThanOrEqualTo(600);
        assertThat((v.toScreenX(-100) + v.toScreenX(900)) / 2).isCloseTo(512, within(1e-9));

        v.centerOn(42, 17, 1024, 600);
        assertThat(v.toScreenX(42)).isCloseTo(512, within(1e-9));
        assertThat(v.toScreenY(17)).isCloseTo(300, within(1e-9));
    }
}
