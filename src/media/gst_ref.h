#pragma once
// One RAII family for GObject / GstObject / GstMiniObject references (STYLE.md habit 4).
// Construction says whether the reference is taken over (adopt: a "transfer full" return
// value) or added (ref: a borrowed pointer we keep). No bare *_unref outside this file.
#include <gst/gst.h>

#include <utility>

namespace tribune::media {

struct GObjectTraits {
  static void ref(gpointer p) { g_object_ref(p); }
  static void unref(gpointer p) { g_object_unref(p); }
};
struct MiniObjectTraits {
  static void ref(gpointer p) { gst_mini_object_ref(GST_MINI_OBJECT_CAST(p)); }
  static void unref(gpointer p) { gst_mini_object_unref(GST_MINI_OBJECT_CAST(p)); }
};

template <typename T, typename Traits>
class Ref {
 public:
  Ref() = default;
  static Ref adopt(T* p) { return Ref(p); }
  static Ref ref(T* p) {
    if (p != nullptr) Traits::ref(p);
    return Ref(p);
  }
  Ref(const Ref& other) : p_(other.p_) {
    if (p_ != nullptr) Traits::ref(p_);
  }
  Ref(Ref&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  Ref& operator=(Ref other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~Ref() { reset(); }

  void reset() {
    if (p_ != nullptr) Traits::unref(std::exchange(p_, nullptr));
  }
  [[nodiscard]] T* get() const { return p_; }
  [[nodiscard]] T* release() { return std::exchange(p_, nullptr); }  // hands the reference on
  explicit operator bool() const { return p_ != nullptr; }

 private:
  explicit Ref(T* p) : p_(p) {}
  T* p_ = nullptr;
};

template <typename T>
using ObjectRef = Ref<T, GObjectTraits>;
template <typename T>
using MiniRef = Ref<T, MiniObjectTraits>;

using ElementRef = ObjectRef<GstElement>;
using BusRef = ObjectRef<GstBus>;
using PadRef = ObjectRef<GstPad>;
using CapsRef = MiniRef<GstCaps>;
using SampleRef = MiniRef<GstSample>;
using BufferRef = MiniRef<GstBuffer>;

// A GError owned for the length of a scope.
struct GErrorHolder {
  GError* error = nullptr;
  GErrorHolder() = default;
  GErrorHolder(const GErrorHolder&) = delete;
  GErrorHolder& operator=(const GErrorHolder&) = delete;
  ~GErrorHolder() { g_clear_error(&error); }
};

// Frees a g_malloc'ed string at scope end.
struct GCharHolder {
  gchar* text = nullptr;
  GCharHolder() = default;
  GCharHolder(const GCharHolder&) = delete;
  GCharHolder& operator=(const GCharHolder&) = delete;
  ~GCharHolder() { g_free(text); }
};

}  // namespace tribune::media
