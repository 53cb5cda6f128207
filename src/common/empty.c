/* empty.c - placeholder so a library with no sources yet still builds. */
typedef int corral_empty_unit;
