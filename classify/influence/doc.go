// Package influence scores an author's reach: follower count on a log scale
// against configurable tiers (micro, macro, mega by default), verification
// and the engagement of the post when the source reports it.
//
// The score is calibrated to the tiers: reaching the lowest tier scores 0.5,
// each higher tier climbs evenly towards 1 (reached at ten times the top
// tier), so a decision threshold of 0.5 means "at least the lowest tier".
package influence
