# cmake -DINPUT=FILE -DOUTPUT=FILE.cpp -DSYMBOL=name -P embed_file.cmake
# Writes FILE's bytes as a C++ array, so the binary carries FILE with nothing beside it.
# Bytes rather than a raw string literal: no delimiter can collide with the file's text.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUTPUT}"
     "// Generated from ${INPUT} by cmake/embed_file.cmake; do not edit.\n"
     "#include <cstddef>\n"
     "extern const char ${SYMBOL}[] = {${bytes}'\\0'};\n"
     "extern const std::size_t ${SYMBOL}_size = ${size};\n")
