#include "ops/cpu/matmul_plan_onednn.h"

namespace infera::onednn {

using dnnl::memory;

namespace {

// Row-major [..., R, C] stored transposed ([C, R]) when `transposed` (2-D only).
memory::desc stored_desc(const memory::dims& dims, bool transposed, memory::data_type type) {
  if (!transposed) return memory::desc(dims, type, plain_tag(static_cast<int>(dims.size())));
  return memory::desc(dims, type, memory::dims{1, dims[0]});
}

// In the order execute_matmul() passes the buffers.
void bind_arguments(MatmulPlan& plan) {
  if (plan.a_in) {
    plan.a_in_args.bind(DNNL_ARG_SRC, plan.plain_a);
    plan.a_in_args.bind(DNNL_ARG_DST, plan.a);
  }
  if (plan.b_in) {
    plan.b_in_args.bind(DNNL_ARG_SRC, plan.plain_b);
    plan.b_in_args.bind(DNNL_ARG_DST, plan.b);
  }
  BoundArgs& args = plan.matmul_args;
  args.bind(DNNL_ARG_SRC, plan.a);
  if (plan.packed_b) args.bind_fixed(DNNL_ARG_WEIGHTS, plan.packed_b);
  else args.bind(DNNL_ARG_WEIGHTS, plan.b);
  args.bind(DNNL_ARG_DST, plan.y);
  args.bind(DNNL_ARG_SCRATCHPAD, plan.scratchpad);
  if (plan.has_c) args.bind(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, plan.c);
}

}  // namespace

std::shared_ptr<MatmulPlan> make_matmul_plan(const MatmulProblem& p,
                                             PackedConstantCache& packed_b, int packing_threads) {
  using dt = memory::data_type;
  auto plan = std::make_shared<MatmulPlan>();
  const dt compute = p.bf16 ? dt::bf16 : dt::f32;
  // Strided operands: bf16 mode converts them into dense bfloat16 copies.
  auto strided = [&](const memory::dims& dims, const memory::dims& strides, bool trans, dt type) {
    if (strides.empty()) return stored_desc(dims, trans, type);
    if (type == dt::f32) return memory::desc(dims, type, strides);
    return memory::desc(dims, type, plain_tag(static_cast<int>(dims.size())));
  };
  plan->plain_a = strided(p.a, p.a_strides, p.trans_a, dt::f32);
  plan->plain_b = strided(p.b, p.b_strides, p.trans_b, dt::f32);
  plan->a = strided(p.a, p.a_strides, p.trans_a, compute);
  const memory::desc b_wanted = p.constant_b
                                    ? memory::desc(p.b, compute, memory::format_tag::any)
                                    : strided(p.b, p.b_strides, p.trans_b, compute);
  plan->y = p.y_strides.empty()
                ? memory::desc(p.y, dt::f32, plain_tag(static_cast<int>(p.y.size())))
                : memory::desc(p.y, dt::f32, p.y_strides);

  dnnl::post_ops ops;
  if (!p.c.empty()) {
    plan->has_c = true;
    plan->c = memory::desc(p.c, dt::f32, plain_tag(static_cast<int>(p.c.size())));
    ops.append_binary(dnnl::algorithm::binary_add, plan->c);
  }
  append_activation(ops, p.activation);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  if (p.alpha != 1.f) attr.set_output_scales(0, {p.alpha});
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::matmul::desc desc(plan->a, b_wanted, plan->y);
  const dnnl::matmul::primitive_desc pd(desc, attr, cpu_engine());
  plan->matmul = dnnl::matmul(pd);
  plan->b = pd.weights_desc();
  plan->scratchpad = pd.scratchpad_desc();
  if (p.constant_b)
    plan->packed_b = packed_b.get(plan->plain_b, p.constant_b, plan->b, packing_threads);

  auto& eng = cpu_engine();
  if (p.bf16) {
    plan->a_in = dnnl::reorder({eng, plan->plain_a, eng, plan->a});
    plan->a_offset = plan->scratch.reserve(plan->a.get_size());
    if (!p.constant_b) {
      plan->b_in = dnnl::reorder({eng, plan->plain_b, eng, plan->b});
      plan->b_offset = plan->scratch.reserve(plan->b.get_size());
    }
  }
  plan->pad_offset = plan->scratch.reserve(plan->scratchpad.get_size());
  bind_arguments(*plan);
  return plan;
}

void execute_matmul(const MatmulPlan& p, const void* a, const void* b, const void* c, void* y,
                    void* scratch) {
  dnnl::stream& s = thread_stream();
  if (p.a_in) {
    char* converted = ScratchLayout::piece(scratch, p.a_offset);
    p.a_in_args.execute(p.a_in, s, {a, converted});
    a = converted;
  }
  if (p.b_in) {
    char* converted = ScratchLayout::piece(scratch, p.b_offset);
    p.b_in_args.execute(p.b_in, s, {b, converted});
    b = converted;
  }
  char* pad = ScratchLayout::piece(scratch, p.pad_offset);
  if (p.has_c) p.matmul_args.execute(p.matmul, s, {a, b, y, pad, c});
  else p.matmul_args.execute(p.matmul, s, {a, b, y, pad});
}

}  // namespace infera::onednn
