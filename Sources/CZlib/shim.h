/* System zlib (Debian zlib1g-dev) for the PNG previews: deflate stream and CRC-32. */
#include <zlib.h>
