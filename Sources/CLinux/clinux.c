/* See include/clinux.h: every helper is static inline. */
