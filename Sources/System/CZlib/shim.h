/* zlib (Debian: zlib1g-dev): the AIOStreams dialect inflates the configs an
 * original AIOStreams database stores deflated (zlib format) and encrypted. */
#include <zlib.h>
