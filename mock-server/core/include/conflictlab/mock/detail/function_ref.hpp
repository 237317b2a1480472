#pragma once
// FunctionRef: a non-owning reference to a callable, so hot paths can pass a
// lambda through a non-template interface without std::function's possible
// heap allocation.
//
// Thread-safety: a value; it refers to a callable that the caller keeps alive
// for the duration of the call it is passed to.

#include <memory>
#include <type_traits>
#include <utility>

namespace conflictlab::mock::detail {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
  public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& f)
    noexcept  // NOLINT(google-explicit-constructor): by design
        : object_(static_cast<void*>(std::addressof(f))),
          call_([](void* object, Args... args) -> R {
              return (*static_cast<std::remove_reference_t<F>*>(object))(
                  std::forward<Args>(args)...);
          }) {}

    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

  private:
    void* object_;
    R (*call_)(void*, Args...);
};

}  // namespace conflictlab::mock::detail
