#include <cstdio>
int main() { std::puts("infera: under construction"); return 0; }
