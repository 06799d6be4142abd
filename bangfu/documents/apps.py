from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "bangfu.documents"
    label = "documents"
    verbose_name = "文书"

    def ready(self):
        # The batch of booklets is one more kind of background export (我的导出): register its writer.
        from bangfu.documents.batch import batch_register

        batch_register()
