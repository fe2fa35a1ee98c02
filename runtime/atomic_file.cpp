#include "atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "error.h"

namespace hnn {

void write_file_atomically(const std::string &path, const std::string &content) {
    const std::string temporary = path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
        out << content;
        out.close();
        if (!out) {
            std::remove(temporary.c_str());
            throw Error(path + ": writing failed (disk full?)");
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(temporary.c_str());
        throw Error(path + ": cannot rename the temporary file into place (" + reason + ")");
    }
}

}  // namespace hnn
