package app

// SessionOf lets the external tests ask the one rule of which stored
// session acts for a participant.
var SessionOf = sessionOf
