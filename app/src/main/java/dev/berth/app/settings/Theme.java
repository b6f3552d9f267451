package dev.berth.app.settings;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;

import java.util.Locale;

/** The app's themes, from AtlantaFX. */
public enum Theme {
    LIGHT, DARK;

    public static Theme parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            return LIGHT;
        }
    }

    public Theme other() {
        return this == LIGHT ? DARK : LIGHT;
    }

    /** The user-agent stylesheet that applies this theme. */
    public String stylesheet() {
        return this == LIGHT ? new PrimerLight().getUserAgentStylesheet() : new PrimerDark().getUserAgentStylesheet();
    }

    /** Applies this theme to every window of the application; FX thread. */
    public void apply() {
        javafx.application.Application.setUserAgentStylesheet(stylesheet());
        // kind icons drawn from now on take this theme's text colour
        dev.berth.app.icons.Icons.useTheme(this == LIGHT ? dev.berth.icons.Theme.LIGHT : dev.berth.icons.Theme.DARK);
    }
}
