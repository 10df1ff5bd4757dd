/**
 * The media-chrome web components the player's controls are made of, defined
 * when this chunk loads (fetched with dash.js, before Play is pressed): only
 * those the controls use, not the whole set.
 */
import "media-chrome/media-controller.js";
import "media-chrome/media-control-bar.js";
import "media-chrome/media-play-button.js";
import "media-chrome/media-seek-backward-button.js";
import "media-chrome/media-seek-forward-button.js";
import "media-chrome/media-time-range.js";
import "media-chrome/media-time-display.js";
import "media-chrome/media-mute-button.js";
import "media-chrome/media-volume-range.js";
import "media-chrome/media-fullscreen-button.js";
import "media-chrome/menu/media-chrome-menu.js";
import "media-chrome/menu/media-chrome-menu-button.js";
import "media-chrome/menu/media-chrome-menu-item.js";
